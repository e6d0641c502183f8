"""devd's side: the wire format, devd.conf as devd reads it, first-match and expansion, the hooks'
framing, chaining.
"""
