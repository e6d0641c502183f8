"""laggroam: keep a FreeBSD machine's lagg(4) failover right as links come and go."""

__version__ = "0.1.0"
