"""A lagg's IPv6 in ``laggroam status``: its addresses, their state, its default router.

Only what was observed: the flags and lifetimes ``ifconfig`` printed
(sbin/ifconfig/af_inet6.c) and the routers ``ndp -rn`` listed.
"""

from laggroam.core.host import Host, Inet6Addr, Interface


def state(a: Inet6Addr) -> str:
    """``preferred``, ``deprecated``, ``tentative``... with the lifetimes left."""
    words = [f for f in a.flags if f in ("autoconf", "temporary")]
    bad = [f for f in a.flags if f in ("tentative", "duplicated", "detached", "deprecated")]
    if a.link_local:
        words.insert(0, "link-local")
    if bad:
        words += bad
    elif a.pltime == 0:
        words.append("deprecated")
    elif not a.link_local:
        words.append("preferred")
    if a.pltime is not None and a.pltime > 0:
        words.append(f"for {a.pltime}s")
    if a.vltime is not None:
        words.append(f"valid {a.vltime}s")
    return " ".join(words)


def rows(host: Host, iface: Interface) -> list[list[str]]:
    """Table rows: one per address, then the default router when asked for."""
    if not iface.inet6_addrs:
        out = [["inet6", a] for a in iface.inet6]
    else:
        out = [
            ["inet6", f"{a.addr}{'%' + a.scope if a.scope else ''}/{a.prefixlen} {state(a)}"]
            for a in iface.inet6_addrs
        ]
    if iface.accepts_rtadv:
        routers = None if host.ipv6_routers is None else host.ipv6_routers.get(iface.name, ())
        shown = "?" if routers is None else (", ".join(routers) or "none")
        out.append(["router6", shown])
    return out


def to_json(host: Host, iface: Interface) -> dict[str, object]:
    """The ``ipv6`` member of a lagg in ``status --json``."""
    routers = None if host.ipv6_routers is None else host.ipv6_routers.get(iface.name, ())
    return {
        "accept_rtadv": iface.accepts_rtadv,
        "addresses": [
            {
                "address": a.addr,
                "prefixlen": a.prefixlen,
                "scope": a.scope,
                "flags": list(a.flags),
                "usable": a.usable,
                "pltime": a.pltime,
                "vltime": a.vltime,
            }
            for a in iface.inet6_addrs
        ],
        "default_routers": None if routers is None else list(routers),
    }
