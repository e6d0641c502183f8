"""What laggroam remembers between reconciles: only what observation cannot give.

The host is the truth; memory keeps transitions (the last active port of a
lagg, since when a wlan is unassociated) and bookkeeping (restart counts,
retry deadlines).  It is plain data, serialised to JSON by ``store``, and a
missing or damaged memory simply means "start from observation alone".
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from laggroam.core import ipv6memory
from laggroam.core.ipv6memory import NetMemory

# How far ahead a remembered time may rightly be: more than the longest backoff
# (after.RETRY_MAX 300 s, after.MAX_WPA_BACKOFF 600 s).
MAX_AHEAD = 3600.0


@dataclass(frozen=True, slots=True)
class LaggMemory:
    active: str | None = None
    link: bool | None = None
    mac: str | None = None
    primary_link_since: float | None = None
    # Each port's MAC when laggroam added it: lagg's lp_lladdr, which the
    # lagg takes when the primary leaves and which a leaving port gets back
    # (sys/net/if_lagg.c lagg_port_destroy); ifconfig never shows it.
    lp_lladdr: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WlanMemory:
    present: bool | None = None
    unassociated_since: float | None = None
    restarts: int = 0
    next_restart: float = 0.0
    gave_up: bool = False
    # A resume or a new instance (with on-resume / on-attach) is being looked
    # after: wpa_supplicant is restarted if it has not associated within
    # stuck_after of it, even without on-stuck.
    watching: bool = False


@dataclass(frozen=True, slots=True)
class Failure:
    count: int
    retry_at: float
    last_error: str = ""


@dataclass(frozen=True, slots=True)
class Memory:
    laggs: Mapping[str, LaggMemory] = field(default_factory=dict)
    wlans: Mapping[str, WlanMemory] = field(default_factory=dict)
    failures: Mapping[str, Failure] = field(default_factory=dict)
    ipv6: Mapping[str, NetMemory] = field(default_factory=dict)

    def lagg(self, name: str) -> LaggMemory:
        return self.laggs.get(name, LaggMemory())

    def wlan(self, name: str) -> WlanMemory:
        return self.wlans.get(name, WlanMemory())

    def with_lagg(self, name: str, value: LaggMemory) -> "Memory":
        if self.laggs.get(name) == value:
            return self  # unchanged: no copy (the planner asks once per lagg per pass)
        return replace(self, laggs={**self.laggs, name: value})

    def with_wlan(self, name: str, value: WlanMemory) -> "Memory":
        if self.wlans.get(name) == value:
            return self
        return replace(self, wlans={**self.wlans, name: value})

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "laggs": {k: _fields(v) for k, v in self.laggs.items()},
            "wlans": {k: _fields(v) for k, v in self.wlans.items()},
            "failures": {k: _fields(v) for k, v in self.failures.items()},
            "ipv6": ipv6memory.to_json(self.ipv6),
        }

    def after_clock_jump(self, now: float) -> "Memory":
        """This memory with the times that cannot be right at ``now`` brought to ``now``.

        A wall clock stepped back (NTP after a suspend, a hand-set clock) would
        otherwise hold a retry, a failback or a wpa restart for as long as it
        jumped; a damaged state file could hold one forever (JSON's Infinity).
        """

        def since(t: float | None) -> float | None:
            return t if t is None or (math.isfinite(t) and t <= now) else now

        def until(t: float) -> float:
            return t if math.isfinite(t) and t <= now + MAX_AHEAD else now

        # Only what is wrong is copied: a sane entry is kept as it is (since()
        # and until() return a right time itself).
        def lagg(v: LaggMemory) -> LaggMemory:
            fixed = since(v.primary_link_since)
            return v if fixed is v.primary_link_since else replace(v, primary_link_since=fixed)

        def wlan(v: WlanMemory) -> WlanMemory:
            gone, next_restart = since(v.unassociated_since), until(v.next_restart)
            if gone is v.unassociated_since and next_restart is v.next_restart:
                return v
            return replace(v, unassociated_since=gone, next_restart=next_restart)

        def failure(v: Failure) -> Failure:
            retry_at = until(v.retry_at)
            return v if retry_at is v.retry_at else replace(v, retry_at=retry_at)

        return Memory(
            laggs={k: lagg(v) for k, v in self.laggs.items()},
            wlans={k: wlan(v) for k, v in self.wlans.items()},
            failures={k: failure(v) for k, v in self.failures.items()},
            ipv6=self.ipv6,
        )

    @classmethod
    def from_json(cls, data: Any) -> "Memory":
        """Rebuild memory; raises ValueError naming the bad field."""
        if not isinstance(data, dict) or data.get("version") != 1:
            raise ValueError("not a version 1 laggroam state")
        return cls(
            laggs=_table(data, "laggs", LaggMemory),
            wlans=_table(data, "wlans", WlanMemory),
            failures=_table(data, "failures", Failure),
            ipv6=ipv6memory.from_json(data.get("ipv6", {})),
        )


def _fields(obj: Any) -> dict[str, Any]:
    out = {name: getattr(obj, name) for name in obj.__dataclass_fields__}
    return {k: dict(v) if isinstance(v, Mapping) else v for k, v in out.items()}


_TYPES: dict[str, tuple[type, ...]] = {
    "active": (str, type(None)),
    "link": (bool, type(None)),
    "mac": (str, type(None)),
    "primary_link_since": (int, float, type(None)),
    "present": (bool, type(None)),
    "unassociated_since": (int, float, type(None)),
    "restarts": (int,),
    "next_restart": (int, float),
    "gave_up": (bool,),
    "watching": (bool,),
    "lp_lladdr": (dict,),
    "count": (int,),
    "retry_at": (int, float),
    "last_error": (str,),
}


def _table(data: dict[str, Any], key: str, cls: type[Any]) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise ValueError(f"{key}: not an object")
    out: dict[str, Any] = {}
    for name, value in table.items():
        if not isinstance(value, dict):
            raise ValueError(f"{key}.{name}: not an object")
        for fname, fvalue in value.items():
            allowed = _TYPES.get(fname)
            if allowed is None or fname not in cls.__dataclass_fields__:
                raise ValueError(f"{key}.{name}.{fname}: unknown field")
            if not isinstance(fvalue, allowed) or (
                isinstance(fvalue, bool) and bool not in allowed
            ):
                raise ValueError(f"{key}.{name}.{fname}: bad value {fvalue!r}")
            if isinstance(fvalue, dict) and not all(
                isinstance(k, str) and isinstance(v, str) for k, v in fvalue.items()
            ):
                raise ValueError(f"{key}.{name}.{fname}: not a table of names to MACs")
        try:
            out[name] = cls(**value)
        except TypeError as exc:
            raise ValueError(f"{key}.{name}: {exc}") from None
    return out
