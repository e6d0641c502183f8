"""The IPv6 actions: solicit routers, retire an old network's addresses and router.

Each is data like every action (laggroam.core.action): an argv from the program
table, a reason, and a ``done(host)`` proof read off a fresh observation.
"""

from dataclasses import dataclass

from laggroam.core.action import Action
from laggroam.core.host import Host, Inet6Addr
from laggroam.core.programs import Programs


def _addr(host: Host, ifname: str, addr: str) -> Inet6Addr | None:
    iface = host.get(ifname)
    if iface is None:
        return None
    return next((a for a in iface.inet6_addrs if a.addr == addr), None)


def has_usable_global(host: Host, ifname: str) -> bool:
    """An autoconf address other than link-local that new connections may use."""
    iface = host.get(ifname)
    return iface is not None and any(
        a.usable and not a.link_local and "autoconf" in a.flags for a in iface.inet6_addrs
    )


@dataclass(frozen=True, slots=True)
class SolicitRouters(Action):
    """``rtsol IF``: one Router Solicitation run (usr.sbin/rtsold/rtsold.8: rtsol is
    ``rtsold -f1``, at most 3 solicitations 4 s apart until an advertisement
    arrives), whose answer makes the kernel form the new prefix's address."""

    @property
    def timeout(self) -> float:
        return 20.0

    def argv(self, programs: Programs) -> list[str]:
        return [programs.rtsol, self.target]

    def done(self, host: Host) -> bool:
        routers = host.ipv6_routers or {}
        return has_usable_global(host, self.target) or bool(routers.get(self.target))


@dataclass(frozen=True, slots=True)
class DeleteAddress6(Action):
    """``ifconfig IF inet6 ADDR delete`` (sbin/ifconfig/af_inet6.c, SIOCDIFADDR_IN6)."""

    addr: str = ""

    @property
    def key(self) -> str:
        return f"{self.verb} {self.target} {self.addr}"

    def argv(self, programs: Programs) -> list[str]:
        return [programs.ifconfig, self.target, "inet6", self.addr, "delete"]

    def done(self, host: Host) -> bool:
        return _addr(host, self.target, self.addr) is None


@dataclass(frozen=True, slots=True)
class DeprecateAddress6(Action):
    """``ifconfig IF inet6 ADDR prefixlen N autoconf deprecated vltime V``.

    SIOCAIFADDR_IN6 on an existing address replaces its flags with the ones
    given, and ``deprecated`` from userland sets its preferred lifetime to 0
    (sys/netinet6/in6.c ``in6_update_ifa``); ``autoconf`` is given again so it
    stays an autoconf address, and ``vltime`` keeps what it had left (without
    it ifconfig would ask for an infinite one, af_inet6.c ``in6_addreq``).
    """

    addr: str = ""
    prefixlen: int = 64
    vltime: int = 0

    @property
    def key(self) -> str:
        return f"{self.verb} {self.target} {self.addr}"

    def argv(self, programs: Programs) -> list[str]:
        return [
            programs.ifconfig, self.target, "inet6", self.addr, "prefixlen", str(self.prefixlen),
            "autoconf", "deprecated", "vltime", str(self.vltime),
        ]  # fmt: skip

    def done(self, host: Host) -> bool:
        found = _addr(host, self.target, self.addr)
        return found is None or not found.usable


@dataclass(frozen=True, slots=True)
class FlushRouters6(Action):
    """``ndp -R``: the default router list flushed -- host-wide, as ndp.c's
    ``rtr_flush`` passes SIOCSRTRFLUSH_IN6 a dummy ``lo0``.  Done when none of
    the ``old`` routers is left on the target (a solicitation run after it
    brings the new network's router back at once)."""

    old: tuple[str, ...] = ()

    def argv(self, programs: Programs) -> list[str]:
        return [programs.ndp, "-R"]

    def done(self, host: Host) -> bool:
        routers = host.ipv6_routers
        return routers is not None and not set(self.old) & set(routers.get(self.target, ()))
