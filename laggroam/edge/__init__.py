"""Where laggroam touches the host: running programs, observing, the state files, one reconcile."""
