"""``ndp -rn`` text -> the IPv6 default routers of each interface, without any I/O.

usr.sbin/ndp/ndp.c ``rtrlist`` prints one line per default router:
``ADDR if=IF, flags=[MO...], pref=PREF, expire=TIME`` (``expire=Never`` for
an infinite one); with ``-n`` ADDR is numeric, a link-local one with its
``%IF`` scope.  The list is the kernel's (sys/netinet6/nd6.c, nd_defrouter),
so it is host-wide: every interface's routers in one listing.
"""

import re
from collections.abc import Callable, Sequence

from laggroam.edge.runner import Result

_ROUTER_RE = re.compile(
    r"(?P<addr>\S+) if=(?P<ifname>[^,\s]+), flags=(?P<flags>[A-Z]*),"
    r" pref=(?P<pref>\w+), expire=(?P<expire>\S+)"
)


class NdpError(ValueError):
    """A line of ``ndp -rn`` output that is not a router entry."""


def parse_routers(text: str) -> dict[str, tuple[str, ...]]:
    """Default routers by interface, in listed order; raises NdpError on a foreign line."""
    routers: dict[str, list[str]] = {}
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = _ROUTER_RE.fullmatch(line)
        if m is None:
            raise NdpError(f"ndp -rn line {line_no}: not a router entry: {line[:60]!r}")
        routers.setdefault(m["ifname"], []).append(m["addr"])
    return {k: tuple(v) for k, v in routers.items()}


def observe_routers(
    run: Callable[[list[str]], Result], ndp: str, unknown: list[str]
) -> dict[str, tuple[str, ...]] | None:
    """Run ``ndp -rn`` once; None (and a note in ``unknown``) when it cannot be read."""
    result = run([ndp, "-rn"])
    if not result.ok:
        unknown.append("ipv6 routers")
        return None
    try:
        return parse_routers(result.stdout)
    except NdpError:
        unknown.append("ipv6 routers")
        return None


def wanted(accepting: Sequence[bool]) -> bool:
    """Routers are asked for only when some interface accepts router advertisements."""
    return any(accepting)
