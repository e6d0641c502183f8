"""The long-running daemon: a sans-IO scheduler, the select loop around it, its socket, pidfile,
status file, reload.
"""
