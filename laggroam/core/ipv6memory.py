"""What laggroam remembers of the network a lagg's IPv6 was configured on.

Observation shows the host as it is; telling "the same network through
another port" from "another network" needs what it was: the IPv4 subnets,
IPv6 prefixes and routers and the SSIDs seen on the network the lagg was on,
and a change under examination (a failover or a link comeback) that is not
decided yet.  Plain data; serialised to JSON by ``memory``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class NetMemory:
    """The network a lagg is on, as last settled, and a pending question about it."""

    subnets4: tuple[str, ...] = ()
    prefixes6: tuple[str, ...] = ()
    routers6: tuple[str, ...] = ()
    ssids: tuple[str, ...] = ()
    # a failover or link comeback whose network is not decided yet
    pending: str | None = None
    # a DHCP renewal was asked for with it: IPv4 is evidence only after it
    waits_dhcp: bool = False
    # routers were solicited to learn the network (IPv4 said nothing)
    probed: bool = False
    # prefixes of a network left behind, still on the lagg (deprecate / keep)
    retired: tuple[str, ...] = ()


_TUPLES = ("subnets4", "prefixes6", "routers6", "ssids", "retired")


def to_json(table: Mapping[str, NetMemory]) -> dict[str, Any]:
    return {
        name: {f.name: (list(v) if f.name in _TUPLES else v) for f in fields(m)
               for v in (getattr(m, f.name),)}
        for name, m in table.items()
    }  # fmt: skip


def from_json(data: Any) -> dict[str, NetMemory]:
    """Rebuild the table; raises ValueError naming the bad field."""
    if not isinstance(data, dict):
        raise ValueError("ipv6: not an object")
    out = {}
    for name, value in data.items():
        if not isinstance(value, dict):
            raise ValueError(f"ipv6.{name}: not an object")
        kwargs: dict[str, Any] = {}
        for key, item in value.items():
            if key in _TUPLES:
                if not isinstance(item, list) or not all(isinstance(x, str) for x in item):
                    raise ValueError(f"ipv6.{name}.{key}: not a list of strings")
                kwargs[key] = tuple(item)
            elif key == "pending":
                if not isinstance(item, str | None):
                    raise ValueError(f"ipv6.{name}.{key}: bad value {item!r}")
                kwargs[key] = item
            elif key in ("waits_dhcp", "probed"):
                if not isinstance(item, bool):
                    raise ValueError(f"ipv6.{name}.{key}: bad value {item!r}")
                kwargs[key] = item
            else:
                raise ValueError(f"ipv6.{name}.{key}: unknown field")
        out[str(name)] = NetMemory(**kwargs)
    return out
