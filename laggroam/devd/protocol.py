"""The daemon's socket protocol: one short text line per connection.

    laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN

``DEVD`` carries the devd event line a hook received as ``$*``, so that the
daemon can both react to it and run the stock devd rule laggroam's rule
shadowed.  The line is taken in by :func:`laggroam.devd.intake.take_in`, which
accepts it only when one of the hooks would have forwarded it.

The hooks frame it (:func:`laggroam.devd.hookclient.frame`); this module reads
it back.  A message is at most ``MAX_MESSAGE`` bytes of printable ASCII ending in a
newline; anything else is refused with an error naming what was wrong.
"""

from laggroam.devd.hookclient import VERSION
from laggroam.devd.intake import Intake, IntakeError, Source, take_in

# A devd record is at most 1024 - sizeof(void *) bytes (sys/kern/kern_devctl.c
# DEVCTL_BUFFER); the header and newline fit in the rest.
MAX_MESSAGE = 1100


class ProtocolError(ValueError):
    """A message the daemon refuses; the text says why."""


def decode(data: bytes) -> Intake:
    """One message (with or without its newline) as the event it carries; ``event``
    is None for a devd event laggroam has no business with (it may still be chained)."""
    if len(data) > MAX_MESSAGE:
        raise ProtocolError(f"message longer than {MAX_MESSAGE} bytes")
    if data.endswith(b"\n"):
        data = data[:-1]
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise ProtocolError("message is not ASCII") from None
    if not text.isprintable():
        raise ProtocolError("message has control characters or more than one line")
    version, _, rest = text.partition(" ")
    if version != VERSION:
        raise ProtocolError(f"unknown protocol version {version[:16]!r}")
    verb, _, body = rest.partition(" ")
    if verb != "DEVD":
        raise ProtocolError(f"unknown message {verb[:16]!r}")
    try:
        return take_in(body, Source.HOOK)
    except IntakeError as exc:
        raise ProtocolError(str(exc)) from None
