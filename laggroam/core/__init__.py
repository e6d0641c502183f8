"""The core decides: plan, actions as data, memory, the what-if model. Pure: imports only itself
and pure stdlib.
"""
