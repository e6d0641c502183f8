"""The IPv6 part of ``init --from-rc-conf``: ``ifconfig_*_ipv6`` and ``rtsold_*``.

What rc.conf means (libexec/rc/network.subr): ``ifconfig_IF_ipv6`` holding
``accept_rtadv`` makes IF an autoconfigured interface (``ipv6_autoconfif``),
brought up with ``ifconfig IF inet6 accept_rtadv`` and solicited once by
``/sbin/rtsol`` at boot unless ``rtsold_enable`` runs the daemon
(libexec/rc/rc.d/rtsold).  rtsold solicits again only when a link comes back
(usr.sbin/rtsold/rtsold.8), which a lagg's failover never is.  A lagg port's
own IPv6 is removed when it joins (sys/net/if_lagg.c ``lagg_port_create``).
"""

from collections.abc import Sequence

from laggroam.core.policymodel import OldPrefixes, RenewIpv6Mode
from laggroam.rc.rcconf import RcConf
from laggroam.rc.rcsetup import rc_var


def _accepts(rc: RcConf, ifname: str) -> str | None:
    """Where ``ifconfig_IF_ipv6`` asks for ``accept_rtadv``, if it does."""
    assignment = rc.get(rc_var("ifconfig_", ifname) + "_ipv6")
    if assignment is not None and "accept_rtadv" in assignment.value.split():
        return assignment.where
    return None


def _yes(rc: RcConf, name: str) -> bool:
    assignment = rc.get(name)
    return assignment is not None and assignment.value.lower() in ("yes", "true", "on", "1")


def policy_lines(rc: RcConf, lagg: str, ports: Sequence[str], warnings: list[str]) -> list[str]:
    """The lagg section's IPv6 keys with their reasons; port misconfigurations warned."""
    for port in ports:
        own = rc.get(rc_var("ifconfig_", port) + "_ipv6")
        if own is not None:
            warnings.append(
                f"{own.where}: IPv6 configured on {port}, a port of {lagg}: joining the lagg"
                f" removes its IPv6 addresses (if_lagg.c); configure it on {lagg} instead"
            )
    where = _accepts(rc, lagg)
    if where is None:
        # nothing of IPv6 to follow: the defaults act only on a lagg that
        # accepts router advertisements, so the policy need not say more
        return []
    lines = [
        f"# From {where}: {lagg} takes its IPv6 from router advertisements.",
        "# Ask the routers when the network changed; remove the old network's",
        "# addresses and default router.",
    ]
    daemon = rc.get("rtsold_enable")
    if _yes(rc, "rtsold_enable") and daemon is not None:
        lines.append(
            f"# rtsold runs ({daemon.where}) but solicits only when {lagg}'s link comes"
            " back, never on a failover."
        )
    return [
        *lines,
        f"renew_ipv6 = {RenewIpv6Mode.ON_NETWORK_CHANGE}",
        f"old_prefixes = {OldPrefixes.REMOVE}",
    ]
