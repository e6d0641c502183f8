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
from laggroam.core.policymodel import LaggPolicy, LaggProto
from laggroam.rc.rcconf import UNTERMINATED, Assignment, RcConf, read_rc_conf
from laggroam.rc.rcmac import boot_mac, policy_mac, sysrc_command, with_mac
from laggroam.rc.rcsetup import DHCP_WORDS, WLAN_NAME_RE, IfConfig, Lagg, Setup, rc_var


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong, at the line of the variable to change."""

    kind: str
    path: str
    line: int
    message: str
    # The lagg the finding is about, if any.
    lagg: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


# ---------------------------------------------------------------- the checks


class _Findings:
    def __init__(self, rc: RcConf) -> None:
        self.rc = rc
        self.found: list[Finding] = []

    def add(self, kind: str, at: Assignment | None, message: str, lagg: str = "") -> None:
        path, line = (at.path, at.line) if at is not None else (self.rc.paths[0], 1)
        self.found.append(Finding(kind, path, line, message, lagg))

    def ordered(self) -> list[Finding]:
        rank = {path: index for index, path in enumerate(self.rc.paths)}
        return sorted(self.found, key=lambda f: (rank.get(f.path, len(rank)), f.line))


def findings(
    setup: Setup, policy: Policy | None = None, own_macs: Mapping[str, str] | None = None
) -> list[Finding]:
    """Everything wrong with ``setup``, and its conflicts with ``policy``, in file order.

    ``own_macs``: each interface's own MAC as the host shows it, when it can
    be observed; without it a MAC rc.conf does not spell is compared by name.
    """
    out = _Findings(setup.rc)
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
        _check_policy(setup, policy, out)
        _check_boot_mac(setup, policy, own_macs or {}, out)
        # A policy that keeps the wireless port first (init --wireless-first) chose it.
        chosen = {lp.name for lp in policy.laggs if setup.is_wireless(lp.primary)}
        out.found = [f for f in out.found if not (f.kind == "wireless-first" and f.lagg in chosen)]
    return out.ordered()


def _check_lagg(setup: Setup, lagg: Lagg, claimed: dict[str, Lagg], out: _Findings) -> None:
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


def _check_primary(setup: Setup, lagg: Lagg, out: _Findings) -> None:
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
    setup: Setup, lagg: Lagg, port: str, claimed: dict[str, Lagg], out: _Findings
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


def _check_port(setup: Setup, lagg: Lagg, port: str, out: _Findings) -> None:
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


def _member_not_up(lagg: Lagg, port: str, config: IfConfig, out: _Findings) -> None:
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


def _check_wireless_mac(setup: Setup, lagg: Lagg, port: str, out: _Findings) -> None:
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


def _check_policy(setup: Setup, policy: Policy, out: _Findings) -> None:
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
        _check_policy_ports(lagg, lp, where, out)
        if lagg.proto != lp.proto:
            out.add(
                "proto-differs",
                lagg.where,
                f"laggproto {lagg.proto} here but proto = {lp.proto} in the policy ({where})",
                lagg=lagg.name,
            )
        _check_policy_dhcp(lagg, lp, where, out)
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


def _check_policy_ports(lagg: Lagg, lp: LaggPolicy, where: str, out: _Findings) -> None:
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


def _check_policy_dhcp(lagg: Lagg, lp: LaggPolicy, where: str, out: _Findings) -> None:
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


# ---------------------------------------------------------------- the MAC at boot


def _check_boot_mac(
    setup: Setup, policy: Policy, own_macs: Mapping[str, str], out: _Findings
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
