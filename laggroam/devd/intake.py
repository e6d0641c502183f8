"""One event taken in: the devd line split once, what it means to laggroam, which hook forwards it.

A line reaches laggroam three ways -- a hook's message on the daemon's socket,
``apply --devd LINE`` (the one-shot a hook starts when no daemon answers), and
``--event TEXT`` typed by an administrator -- and each becomes one
:class:`Intake`, here, by :func:`take_in`.  The daemon's batch and the
one-shot both work on that value: the reconcile reads its ``event``, chaining
its ``devd``; nothing parses the line a second time.
"""

import enum
from dataclasses import dataclass

from laggroam.core.event import Event, EventError, from_devd, parse_event_text
from laggroam.devd.devdline import DevdEvent, DevdLineError, parse_event
from laggroam.devd.hookclient import classify

__all__ = ["Intake", "IntakeError", "Source", "take_in"]


class IntakeError(ValueError):
    """A line laggroam does not take in; the message says why."""


class Source(enum.Enum):
    """Where a line comes from, which decides what is accepted."""

    HOOK = "hook"  # the daemon's socket: only what one of the hooks forwards
    DEVD = "devd"  # ``apply --devd LINE``: any line devd would run a rule for
    EVENT = "event"  # ``--event TEXT``: laggroam's own form, ``LINK_DOWN em0``


@dataclass(frozen=True, slots=True)
class Intake:
    """An event as laggroam holds it from intake to reconcile and chaining.

    ``event`` is None for a devd event the planner has no business with (it may
    still be chained); ``devd`` is None for ``--event TEXT``, which nothing
    chains; ``hook_class`` names the hook that forwarded the line to the
    daemon's socket, the one place it decides anything (None elsewhere: the
    one-shot's line was checked by the hook that started it, or typed by root).
    """

    event: Event | None
    devd: DevdEvent | None = None
    hook_class: str | None = None

    @property
    def text(self) -> str:
        """The line as it came in: devd's line, or the event's text."""
        if self.devd is not None:
            return self.devd.line
        return str(self.event) if self.event is not None else ""


def take_in(text: str, source: Source) -> Intake:
    """``text`` as one Intake, or IntakeError naming what is wrong with it.

    A devd line from the socket is accepted only when one of the hooks would
    have forwarded it, by the hooks' own check: the daemon runs stock rules as
    root, so a peer must not get one run that devd would not have handed to a
    hook.
    """
    try:
        if source is Source.EVENT:
            return Intake(parse_event_text(text))
        hook_class = None
        if source is Source.HOOK:
            hook_class, why = classify(text)
            if hook_class is None:
                raise IntakeError(f"not an event laggroam's hooks forward: {why}")
        devd = parse_event(text)
        return Intake(from_devd(text[:1], devd.variables), devd, hook_class)
    except (EventError, DevdLineError) as exc:
        raise IntakeError(str(exc)) from None
