"""The policy as the planner reads it: plain values, once loaded and validated.

Kept apart from ``policy`` (which reads, checks and explains the file) so that
the core that decides imports the model without any file reading.
"""

from dataclasses import dataclass
from enum import StrEnum


class LaggProto(StrEnum):
    """A lagg(4) protocol, spelt as ifconfig's ``laggproto`` takes it.

    The names of the LAGG_PROTOS table of freebsd-src sys/net/if_lagg.h (and
    share/man/man4/lagg.4); that table also has "default" (an alias of
    failover) and, in older trees, "fec"; the policy names the protocol
    outright.  A StrEnum: it prints, compares and serialises as its word.
    """

    FAILOVER = "failover"
    LACP = "lacp"
    LOADBALANCE = "loadbalance"
    ROUNDROBIN = "roundrobin"
    BROADCAST = "broadcast"
    NONE = "none"


class RenewDhcpMode(StrEnum):
    """``renew_dhcp``: when the lagg's DHCP lease is renewed."""

    NEVER = "never"
    ON_FAILOVER = "on-failover"
    ON_LINK_UP = "on-link-up"


class RenewIpv6Mode(StrEnum):
    """``renew_ipv6``: when routers are solicited again (laggroam.core.ipv6plan)."""

    NEVER = "never"
    ON_FAILOVER = "on-failover"
    ON_LINK_UP = "on-link-up"
    ON_NETWORK_CHANGE = "on-network-change"


class OldPrefixes(StrEnum):
    """``old_prefixes``: what becomes of a network's addresses once the lagg left it."""

    REMOVE = "remove"
    DEPRECATE = "deprecate"
    KEEP = "keep"


@dataclass(frozen=True, slots=True)
class DaemonPolicy:
    """The ``[daemon]`` section: how the daemon listens, logs and paces itself."""

    debounce: float = 0.3
    socket: str = "/var/run/laggroam.sock"
    state_dir: str = "/var/db/laggroam"
    log: str = "syslog"
    log_level: str = "info"
    interval: float = 60.0
    group: str | None = None
    max_delay: float = 5.0


@dataclass(frozen=True, slots=True)
class LaggPolicy:
    """One lagg: its ports in priority order (the first is the primary) and its care."""

    name: str
    ports: tuple[str, ...]
    proto: LaggProto
    ether: str
    ether_defaulted: bool
    dhcp: bool
    renew_dhcp: RenewDhcpMode
    failback_hold: float
    line: int
    renew_ipv6: RenewIpv6Mode = RenewIpv6Mode.ON_NETWORK_CHANGE
    old_prefixes: OldPrefixes = OldPrefixes.REMOVE

    @property
    def primary(self) -> str:
        return self.ports[0]


@dataclass(frozen=True, slots=True)
class WlanPolicy:
    """One wlan vap that laggroam creates and keeps wpa_supplicant on.

    ``parent`` is empty for a wireless port that is its own 802.11 interface
    (ndis0 of FreeBSD 7): wpa_supplicant is kept on it, it is never created.
    """

    name: str
    parent: str
    wpa: bool
    wpa_conf: str
    restart_wpa: frozenset[str]
    stuck_after: float
    create_args: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Policy:
    """A whole, valid policy."""

    path: str
    daemon: DaemonPolicy
    laggs: tuple[LaggPolicy, ...]
    wlans: tuple[WlanPolicy, ...]

    def lagg(self, name: str) -> LaggPolicy | None:
        return next((lagg for lagg in self.laggs if lagg.name == name), None)

    def wlan(self, name: str) -> WlanPolicy | None:
        return next((wlan for wlan in self.wlans if wlan.name == name), None)

    def lagg_of(self, port: str) -> LaggPolicy | None:
        """The lagg that lists ``port`` among its ports, if any."""
        return next((lagg for lagg in self.laggs if port in lagg.ports), None)
