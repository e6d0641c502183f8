"""A devd event as laggroam understands it: a kind and, usually, an interface.

Events are hints that something changed, never the truth (the observed host
is): they tell the planner *why* it looks again, and some of them -- a wlan
re-created, a resume -- are transitions observation alone cannot see.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from laggroam.core.ifname import ifname_problem

# IFNET notify types laggroam reacts to (freebsd-src sys/net/if.c
# do_link_state_change, if_attach_internal, if_detach_internal).
IFNET_KINDS = frozenset({"LINK_UP", "LINK_DOWN", "ATTACH", "DETACH"})
# The return from sleep: ACPI's and kern's power notification (freebsd-src
# sbin/devd/devd.conf, sbin/devd/devd.conf.5).  Going to sleep, and newbus
# attach/detach of a driver such as iwn0, change nothing laggroam decides: the
# interfaces they touch raise their own IFNET events, and the hooks forward
# neither.
POWER_KINDS = frozenset({"RESUME"})
KINDS = IFNET_KINDS | POWER_KINDS

MAX_EVENT_TEXT = 64


class EventError(ValueError):
    """An event that cannot be accepted; the message names the bad field."""


@dataclass(frozen=True, slots=True)
class Event:
    """``LINK_DOWN em0``, ``ATTACH wlan0``, ``RESUME``."""

    kind: str
    ifname: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise EventError(
                f"event kind {self.kind[:20]!r} is not one of {', '.join(sorted(KINDS))}"
            )
        if self.kind in POWER_KINDS:
            if self.ifname is not None:
                raise EventError(f"event {self.kind} takes no interface")
            return
        if self.ifname is None:
            raise EventError(f"event {self.kind} needs an interface name")
        problem = ifname_problem(self.ifname)
        if problem is not None:
            raise EventError(f"event {self.kind}: {problem}")

    def __str__(self) -> str:
        return self.kind if self.ifname is None else f"{self.kind} {self.ifname}"


def parse_event_text(text: str) -> Event:
    """``"LINK_DOWN em0"`` -> Event: the form of ``--event`` and of the one-shot's hand-over.

    Not to be confused with ``devdline.parse_event``, which splits a devd line.
    """
    if len(text) > MAX_EVENT_TEXT:
        raise EventError(f"event text longer than {MAX_EVENT_TEXT} characters")
    words = text.split()
    if not words or len(words) > 2:
        raise EventError(f"event {text[:MAX_EVENT_TEXT]!r}: expected 'KIND [INTERFACE]'")
    return Event(words[0].upper(), words[1] if len(words) == 2 else None)


def from_devd(kind_char: str, variables: Mapping[str, str]) -> Event | None:
    """The laggroam event for a devd event, or None when laggroam has no business with it.

    ``kind_char`` is the first character of the devd line (``!``, ``+``,
    ``-``, ``?``) and ``variables`` what devd split it into; only notify
    (``!``) lines mean anything to laggroam.
    """
    if kind_char == "!":
        system = variables.get("system", "")
        subsystem = variables.get("subsystem", "")
        etype = variables.get("type", "")
        if system == "IFNET" and etype in IFNET_KINDS:
            return Event(etype, subsystem)
        if system == "ACPI" and subsystem == "Resume":
            return Event("RESUME")
        # kern power events, documented in devd.conf(5) (sbin/devd/devd.conf.5).
        if system == "kern" and subsystem == "power" and etype == "resume":
            return Event("RESUME")
    return None
