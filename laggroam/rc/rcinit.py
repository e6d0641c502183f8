"""From an rc.conf roaming setup to a laggroam policy, plus the rc.conf fixes.

The policy written is the setup as it was meant: the wired port first
(unless asked otherwise), wpa_supplicant on the wlan, DHCP on the lagg.
rc.conf stays what configures the machine at boot, so the changes that make
it agree with the policy are printed as ``sysrc`` commands for the
administrator to run; laggroam never edits rc.conf itself.
"""

import difflib
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from laggroam.config.policy import LAGG_PROTOS
from laggroam.config.policyvalues import create_args
from laggroam.core.ifname import ifname_problem
from laggroam.core.policymodel import LaggProto, RenewDhcpMode
from laggroam.rc import ipv6rcinit
from laggroam.rc.rcadvice import UNTERMINATED_KIND, findings
from laggroam.rc.rcconf import Assignment, read_rc_conf
from laggroam.rc.rcfinding import Finding
from laggroam.rc.rcmac import boot_mac, policy_mac, sysrc_command, with_mac, without_mac
from laggroam.rc.rcsetup import DHCP_WORDS, PSEUDO_WORDS, Lagg, Setup, rc_var

# The protocols the policy accepts a wlan port in (laggroam/config/policy.py).
WIRELESS_PROTOS = (LaggProto.FAILOVER, LaggProto.NONE)


@dataclass(frozen=True, slots=True)
class InitResult:
    """The policy text, the recommended ``sysrc`` commands and the warnings.

    ``fatal``: no policy could be written (no lagg, or no lagg with a usable
    port); ``policy_text`` is then empty.
    """

    policy_text: str
    sysrc: list[str]
    warnings: list[str]
    fatal: bool = False
    findings: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class _LaggPlan:
    lagg: Lagg
    ports: list[str]
    proto: LaggProto
    dhcp: bool
    wpa_moved: bool
    # ether = VALUE for the policy, and the MAC the first port must wear at
    # boot for the lagg to wear it from the first lease (None: it does)
    ether: str = "keep"
    boot_ether: str | None = None


def init_from_rc_conf(
    paths: Sequence[Path],
    prefer_wireless_first: bool = False,
    own_macs: Mapping[str, str] | None = None,
) -> InitResult:
    """Read ``paths`` (RcConfError if unreadable) and write the policy they describe.

    ``own_macs`` (each interface's own MAC, when the host can be observed)
    lets the advice spell the MAC the first port must wear at boot.
    """
    rc = read_rc_conf(paths)
    setup = Setup(rc)
    found = findings(setup)
    if prefer_wireless_first:
        found = [f for f in found if f.kind != "wireless-first"]
    warnings = [str(f) for f in found]
    if any(f.kind == UNTERMINATED_KIND for f in found):
        # sh(1) cannot source such a file: what it sets at boot is not what it says.
        return InitResult("", [], warnings, fatal=True, findings=found)
    first = rc.paths[0]
    plans: list[_LaggPlan] = []
    taken: set[str] = set()
    lagg_names = {lagg.name for lagg in setup.laggs}
    for lagg in setup.laggs:
        if ifname_problem(lagg.name) is not None:
            continue
        ports = _policy_ports(setup, lagg, taken, lagg_names)
        if not ports:
            continue
        taken.update(ports)
        proto = LaggProto(lagg.proto) if lagg.proto in LAGG_PROTOS else _closest_proto(lagg.proto)
        wireless = [p for p in ports if setup.is_wireless(p)]
        if wireless and proto not in WIRELESS_PROTOS:
            # The policy refuses a wlan in such a lagg (laggroam/config/policy.py).
            spot = lagg.where
            line = f"{spot.path}:{spot.line}" if spot is not None else f"{first}:1"
            warnings.append(
                f"{line}: laggproto {proto} cannot take the wireless port {wireless[0]};"
                " the policy uses failover"
            )
            proto = LaggProto.FAILOVER
        if proto == LaggProto.FAILOVER:
            wired = [p for p in ports if not setup.is_wireless(p)]
            wireless = [p for p in ports if setup.is_wireless(p)]
            ports = wireless + wired if prefer_wireless_first else wired + wireless
        dhcp = lagg.config.dhcp or lagg.config.address is None
        plan = _LaggPlan(lagg, ports, proto, dhcp, lagg.config.wpa)
        _decide_mac(setup, plan, own_macs or {}, warnings)
        plans.append(plan)
    if not plans:
        if setup.laggs:
            where = setup.laggs[0].where
            at = f"{where.path}:{where.line}" if where is not None else f"{first}:1"
            warnings.append(f"{at}: no lagg with a usable port: there is no policy to write")
        return InitResult("", [], warnings, fatal=True, findings=found)
    text = _policy_text(setup, plans, rc.paths, warnings)
    return InitResult(text, _sysrc(setup, plans), warnings, findings=found)


def _decide_mac(
    setup: Setup, plan: _LaggPlan, own_macs: Mapping[str, str], warnings: list[str]
) -> None:
    """``ether`` for the policy, and the rc.conf MAC that makes boot agree with it.

    The lagg wears the MAC of the port that joins it first at boot
    (sys/net/if_lagg.c lagg_port_create), the policy's first port once the
    sysrc commands ran.  A MAC rc.conf already forces on that port is kept
    as the policy's literal ether, so boot and policy agree whatever it is;
    otherwise the ports wear the first wireless port's MAC (wired drivers
    can change their MAC, some wireless ones cannot: Handbook) and the first
    port is given it in rc.conf, as the Handbook's ifconfig_em0="ether MAC".
    """
    wireless = [p for p in plan.ports if setup.is_wireless(p)]
    if not wireless:
        return
    first = plan.ports[0]
    forced = setup.ifconfig(first).ether
    if forced is not None and first != wireless[0]:
        plan.ether = forced.lower()
        return
    plan.ether = wireless[0]
    if first == wireless[0]:
        return
    mac = policy_mac(setup, wireless[0], own_macs)
    if mac is not None and boot_mac(setup, first, own_macs) == mac:
        return
    if mac is None:
        at = setup.ifconfig(first).assignment
        where = f"{at.path}:{at.line}" if at is not None else setup.rc.paths[0]
        warnings.append(
            f"{where}: {wireless[0]}'s MAC could not be observed: replace"
            f" <{wireless[0]}'s MAC> in the sysrc command for ifconfig_{first} with the"
            f" address ifconfig {wireless[0]} shows"
        )
    plan.boot_ether = mac or f"<{wireless[0]}'s MAC>"


def _closest_proto(proto: str) -> LaggProto:
    """A misspelt laggproto's likely meaning; failover, lagg(4)'s default, otherwise."""
    close = difflib.get_close_matches(proto.lower(), LAGG_PROTOS, n=1, cutoff=0.6)
    return LaggProto(close[0]) if close else LaggProto.FAILOVER


def _policy_ports(setup: Setup, lagg: Lagg, taken: set[str], lagg_names: set[str]) -> list[str]:
    """The lagg's ports as the policy can hold them: radios replaced by their wlan."""
    ports: list[str] = []
    for named in lagg.ports:
        port = setup.radios[named][0] if named in setup.radios else named
        if ifname_problem(port) is not None or port in taken or port in lagg_names:
            continue
        if port not in ports:
            ports.append(port)
    return ports[:32]


# ---------------------------------------------------------------- the policy


def _comment(text: str) -> str:
    """A comment line the policy loader accepts: printable, one line."""
    clean = "".join(c if c.isprintable() else " " for c in text)
    return f"# {clean}".rstrip()


def _from(assignment: Assignment | None) -> str:
    if assignment is None:
        return "(not set)"
    return f'{assignment.name}="{assignment.value}" ({assignment.path}:{assignment.line})'


def _policy_text(
    setup: Setup, plans: list[_LaggPlan], paths: Sequence[str], warnings: list[str]
) -> str:
    lines = [
        '# laggroam.ini -- written by "laggroam init --from-rc-conf" from',
        *(_comment(f"  {path}") for path in paths),
        '# Check it with "laggroam check"; laggroam.ini(5) describes every key.',
        "# rc.conf still configures the interfaces at boot: run the sysrc commands",
        "# printed with this policy so that both agree.",
    ]
    wlans: list[tuple[str, str, Assignment]] = []
    for plan in plans:
        lines += _lagg_section(setup, plan, warnings)
        for port in plan.ports:
            if port in setup.wlan_parent:
                parent, at = setup.wlan_parent[port]
                wlans.append((port, parent, at))
    names = {plan.lagg.name for plan in plans}
    ports = {port for plan in plans for port in plan.ports}
    for wlan, parent, at in wlans:
        if parent in ports or parent in names or ifname_problem(parent) is not None:
            warnings.append(f"{at.path}:{at.line}: {wlan}'s radio {parent} cannot be described")
            continue
        lines += _wlan_section(setup, plans, wlan, parent=parent, at=at, warnings=warnings)
    return "\n".join(lines) + "\n"


def _lagg_section(setup: Setup, plan: _LaggPlan, warnings: list[str]) -> list[str]:
    """One ``[laggN]`` section, with the comments that say where each value came from."""
    lagg = plan.lagg
    lines = ["", f"[{lagg.name}]", _comment(f"From {_from(lagg.where)}")]
    lines.append("# The ports in order of preference: the first is the primary.")
    if plan.proto == LaggProto.FAILOVER and list(lagg.ports) != plan.ports:
        lines.append(_comment(f"rc.conf added them as: {' '.join(lagg.ports)}"))
    lines += [f"ports = {' '.join(plan.ports)}", f"proto = {plan.proto}"]
    wireless = [p for p in plan.ports if setup.is_wireless(p)]
    lines += _ether_lines(plan, wireless)
    for port in wireless:
        if port not in setup.wlan_parent:
            lines.append(_comment(f"{port} is wireless but no wlans_<radio> creates it:"))
            lines.append("# laggroam neither creates it nor runs its wpa_supplicant; rc.conf does.")
    if plan.dhcp:
        lines.append(f"# A DHCP client on {lagg.name}, never on its ports; renew the lease")
        lines.append("# when the traffic moves to another port.")
        lines += ["dhcp = yes", f"renew_dhcp = {RenewDhcpMode.ON_FAILOVER}"]
    else:
        address = lagg.config.address or ""
        lines.append(_comment(f"{lagg.name} has a static address in rc.conf ({address})."))
        lines += ["dhcp = no", f"renew_dhcp = {RenewDhcpMode.NEVER}"]
    lines.append("failback_hold = 0s")
    lines += ipv6rcinit.policy_lines(setup.rc, lagg.name, plan.ports, warnings)
    return lines


def _ether_lines(plan: _LaggPlan, wireless: list[str]) -> list[str]:
    """``ether``: a wireless port's MAC for a lagg with one, else lagg(4)'s own choice."""
    lagg = plan.lagg
    if wireless and ":" in plan.ether:
        return [
            f"# The MAC rc.conf gives {plan.ports[0]}, which joins {lagg.name} first",
            f"# at boot: {lagg.name} wears it from the first lease, and keeps it.",
            f"ether = {plan.ether}",
        ]
    if wireless:
        return [
            "# Whose MAC every port wears: a wireless port's, because some wireless",
            "# drivers cannot change their MAC while wired ones can.  rc.conf must",
            f"# give {plan.ports[0]} that MAC at boot (see the sysrc commands).",
            f"ether = {plan.ether}",
        ]
    return ["# No wireless port: the ports wear the MAC lagg(4) gives them.", "ether = keep"]


def _wlan_section(
    setup: Setup,
    plans: list[_LaggPlan],
    wlan: str,
    *,
    parent: str,
    at: Assignment,
    warnings: list[str],
) -> list[str]:
    """One ``[wlanN]`` section: its radio, its create_args and its wpa_supplicant."""
    lines = ["", f"[{wlan}]", _comment(f"From {_from(at)}"), f"parent = {parent}"]
    create = setup.rc.get(rc_var("create_args_", wlan))
    if create is not None:
        try:
            words: tuple[str, ...] | None = create_args(create.value)
        except ValueError:
            words = None
        if words is not None:
            lines += [_comment(f"From {_from(create)}"), f"create_args = {' '.join(words)}"]
        else:
            warnings.append(
                f"{create.path}:{create.line}: create_args_{wlan} has words the policy "
                "cannot hold; left out of the policy"
            )
    config = setup.ifconfig(wlan)
    lagg_wpa = any(plan.lagg.config.wpa and wlan in plan.ports for plan in plans)
    wpa = config.wpa or lagg_wpa
    lines.append("# Keep wpa_supplicant running on the wlan (not on the lagg).")
    lines += [
        f"wpa = {'yes' if wpa else 'no'}",
        "wpa_conf = /etc/wpa_supplicant.conf",
        "restart_wpa = on-attach on-resume on-stuck",
        "stuck_after = 20s",
    ]
    return lines


# ---------------------------------------------------------------- sysrc


def _sysrc(setup: Setup, plans: list[_LaggPlan]) -> list[str]:
    """The rc.conf changes that make the boot configuration agree with the policy."""
    first = setup.rc.paths[0]
    commands: list[str] = []
    for plan in plans:
        for port in plan.ports:
            config = setup.ifconfig(port)
            own = setup.rc.get(rc_var("ifconfig_", port))
            words = list(config.words)
            new = [w for w in words if w.lower() not in DHCP_WORDS and w.lower() != "noauto"]
            if setup.is_wireless(port):
                new = without_mac(new)
            elif port == plan.ports[0] and plan.boot_ether is not None:
                new = with_mac(new, plan.boot_ether)
            if plan.wpa_moved and port in setup.wlan_parent and not config.wpa:
                new.append("WPA")
            if not new:
                # Nothing left that brings the port up (network.subr ifconfig_up).
                new = ["up"]
            if new != words or own is None:
                value = " ".join(new)
                commands.append(sysrc_command(rc_var("ifconfig_", port), value, own, first))
    for plan in plans:
        for port in plan.ports:
            commands.extend(_radio_mac_commands(setup, port, first))
    for plan in plans:
        commands.extend(_lagg_commands(setup, plan, first))
    cloned = setup.rc.get("cloned_interfaces")
    missing = [plan.lagg.name for plan in plans if plan.lagg.cloned is None]
    if missing:
        value = " ".join([*(cloned.value.split() if cloned is not None else []), *missing])
        commands.append(sysrc_command("cloned_interfaces", value, cloned, first))
    # Two wlans on one radio would ask for the same radio change twice.
    return list(dict.fromkeys(commands))


def _radio_mac_commands(setup: Setup, port: str, first: str) -> list[str]:
    """Drop a MAC forced on a wlan's radio: the policy's ether moves MACs instead."""
    parent = setup.wlan_parent.get(port)
    if parent is None:
        return []
    config = setup.ifconfig(parent[0])
    own = setup.rc.get(rc_var("ifconfig_", parent[0]))
    if own is None or config.ether is None:
        return []
    kept = without_mac(list(config.words))
    return [sysrc_command(own.name, " ".join(kept) if kept else None, own, first)]


def _lagg_commands(setup: Setup, plan: _LaggPlan, first: str) -> list[str]:
    lagg = plan.lagg
    commands: list[str] = []
    create = lagg.create_args
    if create is not None and ("laggport" in create.value.split() or lagg.proto != plan.proto):
        kept = _set_proto(_without_laggports(create.value.split()), plan.proto)
        value = " ".join(kept) if kept else None
        commands.append(sysrc_command(create.name, value, create, first))
    own = setup.rc.get(rc_var("ifconfig_", lagg.name))
    words = list(own.value.split()) if own is not None else []
    kept = _set_proto(_lagg_words(words), plan.proto)
    at = next((i for i, w in enumerate(words) if w == "laggport"), None)
    if at is not None:
        # The ports go where the first laggport was.
        position = len(_lagg_words(words[:at]))
    else:
        # Before the trailing pseudo-words (DHCP ...), as the Handbook writes it.
        pseudo = [i for i, w in enumerate(kept) if w.lower() in PSEUDO_WORDS]
        position = pseudo[0] if pseudo else len(kept)
    proto_set = "laggproto" in kept or (create is not None and "laggproto" in create.value.split())
    if not proto_set:
        kept[position:position] = ["laggproto", plan.proto]
        position += 2
    pairs = [w for port in plan.ports for w in ("laggport", port)]
    kept[position:position] = pairs
    if plan.dhcp and not any(w.lower() in DHCP_WORDS for w in kept):
        kept.append("DHCP")
    if not any(w == "up" for w in kept) and own is None:
        kept.insert(0, "up")
    if kept != words:
        name = rc_var("ifconfig_", lagg.name)
        commands.append(sysrc_command(name, " ".join(kept), own, first))
    return commands


def _set_proto(words: list[str], proto: str) -> list[str]:
    """``words`` with every ``laggproto X`` naming ``proto``."""
    out = list(words)
    for index, word in enumerate(out[:-1]):
        if word == "laggproto":
            out[index + 1] = proto
    return out


def _lagg_words(words: list[str]) -> list[str]:
    """ifconfig_LAGG's words without its ports and without WPA (which moves to the wlan)."""
    return [w for w in _without_laggports(words) if w.lower() != "wpa"]


def _without_laggports(words: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("laggport", "-laggport"):
            skip = True
        else:
            out.append(word)
    return out


# ---------------------------------------------------------------- writing


def write_policy(path: Path, text: str, force: bool = False) -> None:
    """Write ``text`` to ``path`` whole (mode 0644), never leaving half a file.

    Without ``force`` an existing ``path`` is left untouched and
    FileExistsError raised (the CLI's exit 73, EX_CANTCREAT in sysexits(3)):
    the link(2) that puts the new file in place fails if the name exists, so
    there is no window between looking and writing.
    """
    directory = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        if force:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
