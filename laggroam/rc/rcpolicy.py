"""Where rc.conf and a laggroam policy would pull the same lagg in different directions.

The checks of :func:`~laggroam.rc.rcadvice.findings` that need a policy: its
ports, protocol and DHCP against what netif builds, and the MAC the lagg
boots wearing against the one the policy's ``ether`` imposes.
"""

from collections.abc import Mapping

from laggroam.config.policy import Policy
from laggroam.core.ifname import ifname_problem
from laggroam.core.policymodel import LaggPolicy
from laggroam.rc.rcfinding import Findings
from laggroam.rc.rcmac import boot_mac, policy_mac, sysrc_command, with_mac
from laggroam.rc.rcsetup import Lagg, Setup, rc_var


def check_policy(setup: Setup, policy: Policy, out: Findings) -> None:
    """Where rc.conf (applied at boot) and the policy (applied by laggroam) disagree."""
    for lagg in setup.laggs:
        lp = policy.lagg(lagg.name)
        if lp is None:
            out.add(
                "lagg-not-in-policy",
                lagg.where,
                f"{lagg.name} is set up here but the policy ({policy.path}) has no "
                f"[{lagg.name}] section; laggroam leaves it alone",
                lagg=lagg.name,
            )
            continue
        where = f"{policy.path}:{lp.line}"
        _ports(lagg, lp, where, out)
        if lagg.proto != lp.proto:
            out.add(
                "proto-differs",
                lagg.where,
                f"laggproto {lagg.proto} here but proto = {lp.proto} in the policy ({where})",
                lagg=lagg.name,
            )
        _dhcp(lagg, lp, where, out)
    for wlan in policy.wlans:
        if wlan.name in setup.wlan_parent:
            parent, at = setup.wlan_parent[wlan.name]
            if parent != wlan.parent:
                out.add(
                    "parent-differs",
                    at,
                    f"{wlan.name} is created on {parent} here but on {wlan.parent} in the "
                    f"policy ({policy.path}:{wlan.line})",
                )


def _ports(lagg: Lagg, lp: LaggPolicy, where: str, out: Findings) -> None:
    """The ports, and their order (the first is the primary), in rc.conf and the policy."""
    at = lagg.where
    for port in lagg.ports:
        if port not in lp.ports:
            out.add(
                "port-not-in-policy",
                at,
                f"{port} is a port of {lagg.name} here but not in the policy ({where}); "
                f"laggroam and rc.conf disagree on it",
                lagg=lagg.name,
            )
    for port in lp.ports:
        if port not in lagg.ports:
            out.add(
                "port-not-in-rc",
                at,
                f"the policy ({where}) lists {port} for {lagg.name} but rc.conf does not add it",
                lagg=lagg.name,
            )
    ours = [p for p in lagg.ports if p in lp.ports]
    theirs = [p for p in lp.ports if p in lagg.ports]
    if ours != theirs:
        out.add(
            "order-differs",
            at,
            f"{lagg.name} gets its ports in the order {' '.join(ours)} here but "
            f"{' '.join(theirs)} in the policy ({where}); the first is the primary",
            lagg=lagg.name,
        )


def _dhcp(lagg: Lagg, lp: LaggPolicy, where: str, out: Findings) -> None:
    """A static address in rc.conf against dhcp = yes, or DHCP against dhcp = no."""
    address = lagg.config.address
    if lp.dhcp and address is not None and not lagg.config.dhcp:
        out.add(
            "dhcp-differs",
            lagg.where,
            f"{lagg.name} has the static address {address!r} here but dhcp = yes in "
            f"the policy ({where})",
            lagg=lagg.name,
        )
    if not lp.dhcp and lagg.config.dhcp:
        out.add(
            "dhcp-differs",
            lagg.where,
            f"{lagg.name} has DHCP here but dhcp = no in the policy ({where})",
            lagg=lagg.name,
        )


def check_boot_mac(
    setup: Setup, policy: Policy, own_macs: Mapping[str, str], out: Findings
) -> None:
    """A lagg that boots wearing another MAC than the policy's ``ether`` imposes.

    The first port to join gives the lagg its MAC (sys/net/if_lagg.c
    lagg_port_create); dhclient then leases an address for it.  If the policy
    wants another one, laggroam's first reconcile sets it, which
    re-initialises the lagg and every port (sys/net/if.c if_setlladdr; the
    wlan's association drops) and makes the DHCP server see a new client
    (dhclient puts the MAC in chaddr, sbin/dhclient/dhclient.c): the address
    changes at every boot.  The fix is rc.conf's: the Handbook's
    ``ifconfig_em0="ether <wlan0's MAC>"`` makes the first port wear it.
    """
    for lagg in setup.laggs:
        lp = policy.lagg(lagg.name)
        if lp is None or lp.ether == "keep" or not lagg.ports:
            continue
        first = lagg.ports[0]
        if first in setup.radios or ifname_problem(first) is not None:
            continue
        boot = boot_mac(setup, first, own_macs)
        wanted = policy_mac(setup, lp.ether, own_macs)
        if boot is not None and wanted is not None:
            differs = boot != wanted
        elif boot is None and wanted is None:
            # Both an interface's own MAC: the same only for the same interface.
            differs = first != lp.ether and setup.ifconfig(first).ether is None
        else:
            continue  # one side unknown without the host: no claim
        if not differs:
            continue
        config = setup.ifconfig(first)
        mac = wanted or f"<{lp.ether}'s MAC, from ifconfig {lp.ether}>"
        own = setup.rc.get(rc_var("ifconfig_", first))
        fix = sysrc_command(
            rc_var("ifconfig_", first), " ".join(with_mac(config.words, mac)), own,
            setup.rc.paths[0],
        )  # fmt: skip
        out.add(
            "mac-differs",
            own if own is not None else lagg.where,
            f"{lagg.name} boots wearing {first}'s MAC ({boot or 'its own'}), {first} being"
            f" its first port, but the policy's ether = {lp.ether} ({policy.path}:{lp.line})"
            f" makes laggroam set {wanted or 'the MAC of ' + lp.ether} after the first lease:"
            f" the DHCP server then sees a new client and the address changes at every boot;"
            f" fix: {fix}",
            lagg=lagg.name,
        )
