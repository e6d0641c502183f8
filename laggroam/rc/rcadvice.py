"""The roaming setup's own pitfalls, found in rc.conf read as data.

:func:`findings` lists what is wrong with a :class:`~laggroam.rc.rcsetup.Setup`
(what netif would build from the variables), each at the ``FILE:LINE`` of the
variable to change, and, given a policy, where rc.conf and laggroam would
pull in different directions.  Every check names the FreeBSD source it rests on.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from laggroam.config.policy import LAGG_PROTOS, Policy
from laggroam.core.ifname import ifname_problem
from laggroam.core.policymodel import LaggProto
from laggroam.rc.rcconf import UNTERMINATED, read_rc_conf
from laggroam.rc.rcfinding import Finding, Findings
from laggroam.rc.rcpolicy import check_boot_mac, check_policy
from laggroam.rc.rcsetup import DHCP_WORDS, WLAN_NAME_RE, IfConfig, Lagg, Setup, rc_var

# ---------------------------------------------------------------- the checks


def findings(
    setup: Setup, policy: Policy | None = None, own_macs: Mapping[str, str] | None = None
) -> list[Finding]:
    """Everything wrong with ``setup``, and its conflicts with ``policy``, in file order.

    ``own_macs``: each interface's own MAC as the host shows it, when it can
    be observed; without it a MAC rc.conf does not spell is compared by name.
    """
    out = Findings(setup.rc)
    for problem in setup.rc.skipped:
        message = f"not understood, skipped: {problem.reason}"
        unpaired = problem.reason.startswith(UNTERMINATED)
        kind = UNTERMINATED_KIND if unpaired else "not-understood"
        out.found.append(Finding(kind, problem.path, problem.line, message))
    files = setup.rc.get("rc_conf_files")
    if files is not None:
        out.add(
            "rc-conf-files",
            files,
            "rc_conf_files is changed here; laggroam reads only the files it was given",
        )
    if not setup.laggs:
        out.add("no-lagg", None, "no lagg(4) is set up in the files read")
    claimed: dict[str, Lagg] = {}
    for lagg in setup.laggs:
        _check_lagg(setup, lagg, claimed, out)
    if policy is not None:
        check_policy(setup, policy, out)
        check_boot_mac(setup, policy, own_macs or {}, out)
        # A policy that keeps the wireless port first (init --wireless-first) chose it.
        chosen = {lp.name for lp in policy.laggs if setup.is_wireless(lp.primary)}
        out.found = [f for f in out.found if not (f.kind == "wireless-first" and f.lagg in chosen)]
    return out.ordered()


def _check_lagg(setup: Setup, lagg: Lagg, claimed: dict[str, Lagg], out: Findings) -> None:
    at = lagg.where
    config = lagg.config
    if lagg.cloned is None:
        # clone_up creates only what cloned_interfaces lists (network.subr).
        out.add(
            "lagg-not-cloned",
            at,
            f"{lagg.name} is configured but not in cloned_interfaces, "
            f"so nothing creates it at boot; add it there",
            lagg=lagg.name,
        )
    if not lagg.ports:
        out.add(
            "no-ports",
            at,
            f"{lagg.name} has no laggport: a lagg without ports cannot carry any traffic",
            lagg=lagg.name,
        )
    if lagg.proto not in LAGG_PROTOS:
        # lagg(4) knows only these (share/man/man4/lagg.4); ifconfig compares
        # names exactly and exits with "Invalid aggregation protocol"
        # (sbin/ifconfig/iflagg.c setlaggproto), dropping the rest of the line.
        out.add(
            "bad-proto",
            at,
            f"laggproto {lagg.proto!r} is not one of {', '.join(LAGG_PROTOS)}: ifconfig "
            "stops there and applies nothing after it",
            lagg=lagg.name,
        )
    if config.wpa:
        # ifconfig_up starts wpa_supplicant on any WPA interface (network.subr
        # wpaif); on lagg0, whose media is Ethernet, rc.d/wpa_supplicant picks
        # the wired driver (libexec/rc/rc.d/wpa_supplicant; sys/net/if_lagg.c).
        wlans = [p for p in lagg.ports if setup.is_wireless(p)]
        target = wlans[0] if wlans else "the wireless port"
        out.add(
            "wpa-on-lagg",
            config.assignment,
            f"WPA on {lagg.name} runs wpa_supplicant on the lagg, not on the radio's "
            f"wlan; put WPA in ifconfig_{target} instead",
            lagg=lagg.name,
        )
    _check_primary(setup, lagg, out)
    for port in lagg.ports:
        if _port_usable(setup, lagg, port, claimed, out):
            claimed[port] = lagg
            _check_port(setup, lagg, port, out)


def _check_primary(setup: Setup, lagg: Lagg, out: Findings) -> None:
    """A failover lagg whose first port, the primary, is wireless while a wired one waits."""
    if lagg.proto != LaggProto.FAILOVER or len(lagg.ports) < 2:
        return
    at = lagg.where
    laggs = {other.name for other in setup.laggs}
    wired = [p for p in lagg.ports if not setup.is_wireless(p) and p not in laggs]
    first = lagg.ports[0]
    if wired and setup.is_wireless(first):
        # The first port added is the primary (sys/net/if_lagg.c
        # lagg_port_create; Handbook "Failover Mode Between Ethernet and
        # Wireless Interfaces"): traffic stays on Wi-Fi with the cable in.
        out.add(
            "wireless-first",
            at,
            f"{lagg.name} adds the wireless {first} before the wired {wired[0]}: the "
            f"first port is the failover primary, so Wi-Fi carries the traffic even "
            f"with the cable plugged in; add {wired[0]} first",
            lagg=lagg.name,
        )


def _port_usable(
    setup: Setup, lagg: Lagg, port: str, claimed: dict[str, Lagg], out: Findings
) -> bool:
    """False, with the finding, for a port the kernel or the policy would refuse."""
    at = lagg.where
    problem = ifname_problem(port)
    if problem is not None:
        out.add("bad-port", at, f"laggport {problem}", lagg=lagg.name)
    elif port == lagg.name:
        # The kernel refuses it with EINVAL (sys/net/if_lagg.c).
        out.add("bad-port", at, f"{port} cannot be a port of itself", lagg=lagg.name)
    elif any(port == other.name for other in setup.laggs):
        # The policy refuses stacked laggs (laggroam/config/policy.py _ports).
        out.add(
            "stacked-lagg",
            at,
            f"{port} is itself a lagg; laggroam does not stack laggs",
            lagg=lagg.name,
        )
    elif port in claimed:
        # A port belongs to one lagg: the kernel answers EBUSY (if_lagg.c).
        out.add(
            "port-twice",
            at,
            f"{port} is already a port of {claimed[port].name}",
            lagg=lagg.name,
        )
    else:
        return True
    return False


def _check_port(setup: Setup, lagg: Lagg, port: str, out: Findings) -> None:
    at = lagg.where
    if port in setup.radios:
        # Only Ethernet and VLAN interfaces join a lagg, EPROTONOSUPPORT
        # otherwise (sys/net/if_lagg.c lagg_port_create); the wlan vap is the
        # Ethernet-like one, and the radio is not (inferred: network.subr
        # noafif lists radios as interfaces without address families).
        child = setup.radios[port][0]
        out.add(
            "radio-port",
            at,
            f"{port} is a radio (wlans_{port} creates {child} on it); "
            f"the wlan, {child}, is what joins {lagg.name}",
            lagg=lagg.name,
        )
        return
    if WLAN_NAME_RE.fullmatch(port) and port not in setup.wlan_parent and port not in setup.cloned:
        # wlan_up creates only the children named in wlans_PARENT (network.subr).
        out.add(
            "wlan-not-created",
            at,
            f"{port} is a port of {lagg.name} but no wlans_<radio> names it, so nothing "
            f'creates it at boot; add wlans_<radio>="{port}" (sysctl net.wlan.devices '
            "lists the radios)",
            lagg=lagg.name,
        )
    config = setup.ifconfig(port)
    _check_wireless_mac(setup, lagg, port, out)
    if config.dhcp:
        # dhcpif makes netif and devd's LINK_UP rule start dhclient on the port
        # itself (network.subr dhcpif; sbin/devd/devd.conf), beside lagg's own.
        words = "/".join(config.spelled(DHCP_WORDS))
        out.add(
            "dhcp-on-member",
            config.assignment,
            f"{words} on {port}, a port of {lagg.name}: a second dhclient runs on the port "
            f"and fights the one on {lagg.name}; keep DHCP on {lagg.name} only",
            lagg=lagg.name,
        )
    if not config.brought_up:
        _member_not_up(lagg, port, config, out)
    address = config.address
    if address is not None:
        # The Handbook configures the wlan "but do not set an IP address";
        # the address belongs on the lagg, and joining strips a port's IPv6
        # addresses (sys/net/if_lagg.c SIOCSLAGGPORT).
        out.add(
            "address-on-member",
            config.assignment,
            f"{_var(config)} gives {port} the address {address!r}, but {port} is a port of "
            f"{lagg.name}: the address belongs on {lagg.name}",
            lagg=lagg.name,
        )


def _member_not_up(lagg: Lagg, port: str, config: IfConfig, out: Findings) -> None:
    """A port rc.conf never brings up, and why.

    A port that is not up never becomes active (sys/net/if_lagg.h
    LAGG_PORTACTIVE); the Handbook brings every port up itself ("make sure
    that the underlying physical interfaces are up").
    """
    if config.noauto:
        reason = f"{_var(config)} has NOAUTO, so netif does not configure {port} at boot"
    elif config.assignment is None:
        reason = f"nothing sets {rc_var('ifconfig_', port)}, so netif never brings it up"
    else:
        reason = f"{_var(config)} has no ifconfig word, so netif never brings {port} up"
    out.add(
        "member-not-up",
        config.assignment if config.assignment is not None else lagg.where,
        f"{port}, a port of {lagg.name}, will not be up: {reason}; a port that is "
        f'not up never carries traffic ({rc_var("ifconfig_", port)}="up")',
        lagg=lagg.name,
    )


def _check_wireless_mac(setup: Setup, lagg: Lagg, port: str, out: Findings) -> None:
    """A MAC forced on the wireless side, as the older Handbook did."""
    if not setup.is_wireless(port):
        return
    parent = setup.wlan_parent.get(port)
    for ifname in (port, parent[0]) if parent is not None else (port,):
        config = setup.ifconfig(ifname)
        if config.assignment is not None and config.ether is not None:
            # "some popular wireless interfaces lack support for overriding
            # the MAC address", so the Handbook now gives the Ethernet port the
            # wireless MAC instead (freebsd-doc handbook advanced-networking).
            out.add(
                "wireless-mac",
                config.assignment,
                f"{_var(config)} forces {config.ether} on the wireless {ifname}: some "
                f"wireless drivers cannot change their MAC; let the other ports of "
                f"{lagg.name} wear the wireless MAC instead (the policy's ether = {port})",
                lagg=lagg.name,
            )


def _var(config: IfConfig) -> str:
    return config.assignment.name if config.assignment is not None else "ifconfig"


# ---------------------------------------------------------------- entry point


@dataclass(frozen=True, slots=True)
class CheckResult:
    """``warnings``: ``FILE:LINE: message`` lines; ``fatal``: a setup that cannot work."""

    warnings: list[str]
    fatal: bool
    findings: list[Finding]


# What cannot work at all: exit 78 (EX_CONFIG) rather than 0 with warnings.
# A file whose quotes do not pair up makes sh(1) fail to source it at boot, as
# it makes init refuse to write a policy from it.
UNTERMINATED_KIND = "unterminated"
FATAL_KINDS = frozenset({"no-ports", UNTERMINATED_KIND})


def check_rc_conf(
    paths: Sequence[Path], policy: Policy | None, own_macs: Mapping[str, str] | None = None
) -> CheckResult:
    """Read ``paths`` as rc.subr would and list the pitfalls (RcConfError if unreadable)."""
    found = findings(Setup(read_rc_conf(paths)), policy, own_macs)
    return CheckResult(
        warnings=[str(f) for f in found],
        fatal=any(f.kind in FATAL_KINDS for f in found),
        findings=found,
    )
