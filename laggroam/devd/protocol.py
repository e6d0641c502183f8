"""The daemon's socket protocol: one short text line per connection.

    laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN

``DEVD`` carries the devd event line a hook received as ``$*``, so that the
daemon can both react to it and run the stock devd rule laggroam's rule
shadowed.  A ``DEVD`` line is accepted only when one of the hooks would have
forwarded it, by the hooks' own check (:func:`laggroam.devd.hookclient.classify`):
the daemon runs stock rules as root, so a peer must not get one run that devd
would not have handed to a hook.

A message is at most ``MAX_MESSAGE`` bytes of printable ASCII ending in a
newline; anything else is refused with an error naming what was wrong.
"""

from dataclasses import dataclass

from laggroam.core.event import Event, EventError, from_devd
from laggroam.devd.devdline import DevdEvent, DevdLineError
from laggroam.devd.devdline import parse_event as parse_devd_line
from laggroam.devd.hookclient import classify

VERSION = "laggroam/1"
# A devd record is at most 1024 - sizeof(void *) bytes (sys/kern/kern_devctl.c
# DEVCTL_BUFFER); the header and newline fit in the rest.
MAX_MESSAGE = 1100


class ProtocolError(ValueError):
    """A message the daemon refuses; the text says why."""


@dataclass(frozen=True, slots=True)
class Message:
    """A decoded message: what it means to laggroam (None: nothing), and its devd event.

    ``decode`` always sets ``devd`` (the only verb is ``DEVD``); a message built
    in-process may carry the event alone.
    """

    event: Event | None
    devd: DevdEvent | None = None


def encode_devd(line: str) -> bytes:
    return f"{VERSION} DEVD {line}\n".encode("ascii")


def decode(data: bytes) -> Message:
    """One message (with or without its newline); ``event`` is None for a devd
    event laggroam has no business with (it may still be chained)."""
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
    try:
        if verb == "DEVD":
            hook_class, why = classify(body)
            if hook_class is None:
                raise ProtocolError(f"not an event laggroam's hooks forward: {why}")
            devd = parse_devd_line(body)
            return Message(from_devd(body[:1], devd.variables), devd)
    except (EventError, DevdLineError) as exc:
        raise ProtocolError(str(exc)) from None
    raise ProtocolError(f"unknown message {verb[:16]!r}")
