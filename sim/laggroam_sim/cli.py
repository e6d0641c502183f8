"""``laggroam-sim --dir DIR VERB ...``: drive the simulated host from a shell.

Each verb changes the world or the kernel, lets the host settle and prints
what changed and the devd events that resulted.  Exit status: 0, 64 on a
usage error, 69 when the host refuses (no such interface, no host yet), 1
when ``init`` built a host whose boot reported errors or a ``wpa start``
failed.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from laggroam_sim import (
    daemons,
    devd,
    engine,
    ifconfig_out,
    journal,
    kernel,
    laptop,
    localrc,
    radios,
    rc,
    rcfile,
    world,
)
from laggroam_sim.power import resume, suspend, usb_plug, usb_unplug
from laggroam_sim.state import Sim, SimError, read_only
from laggroam_sim.verbs import USAGE

__all__ = ["USAGE", "main", "resume", "show", "suspend"]

PROG = "laggroam-sim"
EX_USAGE = 64
EX_UNAVAILABLE = 69
EX_BOOT_ERRORS = 1
# the releases the simulated host can run: the seed's era (7) and 11 to 15
RELEASES = ("7", "11", "12", "13", "14", "15")


def main(argv: list[str], sim_dir: Path) -> int:
    """Run one verb on the host in ``sim_dir``; prints to stdout, errors as one line on stderr."""
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if argv else EX_USAGE
    verb, args = argv[0], argv[1:]
    try:
        own = HOST_VERBS.get(verb)
        if own is not None:
            return own(args, Path(sim_dir))
        action = VERBS.get(verb)
        if action is None:
            return _usage(f"unknown verb {verb!r}")
        return _change(action, args, Path(sim_dir))
    except SimError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EX_UNAVAILABLE


def _change(action: Callable[[Sim, list[str]], str | None], args: list[str], sim_dir: Path) -> int:
    """A change of the world or the kernel: apply it, settle, report, deliver devd's events."""
    with Sim.open(sim_dir) as sim:
        problem = action(sim, args)
        if problem is not None:
            return _usage(problem)
        engine.settle(sim)
        _report(sim)
        in_charge = sim.state.devd
    return _deliver(sim_dir) if in_charge else 0


def _show(args: list[str], sim_dir: Path) -> int:
    print(show(sim_dir), end="")
    return 0


def _events(args: list[str], sim_dir: Path) -> int:
    after = int(args[0]) if args and args[0].isdigit() else 0
    for ev in journal.read(sim_dir, after):
        print(f"{ev.seq}\t{ev.line}")
    return 0


def _install_laggroam(args: list[str], sim_dir: Path) -> int:
    if len(args) > 1:
        return _usage("install-laggroam takes one policy file, or none")
    policy = Path(args[0]) if args else None
    for path in devd.install_laggroam(sim_dir, policy):
        print(f"installed {path}")
    return _deliver(sim_dir)


def _devd(args: list[str], sim_dir: Path) -> int:
    if args == ["start"]:
        devd.start(sim_dir)
    elif args == ["stop"]:
        devd.stop(sim_dir)
        return 0
    elif len(args) == 2 and args[0] == "inject":
        devd.inject(sim_dir, args[1])
    elif args:
        return _usage("devd takes start, stop, inject LINE or nothing")
    if not read_only(sim_dir).devd:
        raise SimError("the simulated devd is stopped (run: sim devd start)")
    return _deliver(sim_dir)


def _daemon(args: list[str], sim_dir: Path) -> int:
    """Start, stop or ask after laggroam's daemon, as ``service laggroam one...`` does."""
    if args not in (["start"], ["stop"], ["status"]):
        return _usage("daemon takes start, stop or status")
    out = localrc.laggroam(f"one{args[0]}", sim_dir)
    sys.stdout.write(out.out)
    sys.stderr.write(out.err)
    return out.status


def _deliver(sim_dir: Path) -> int:
    """Deliver what is pending and say what devd did."""
    for one in devd.deliver(sim_dir):
        print(one.describe())
    return 0


def _usage(message: str) -> int:
    print(f"{PROG}: {message}\n{USAGE}", file=sys.stderr)
    return EX_USAGE


def _report(sim: Sim) -> None:
    for note in sim.notes:
        print(note)
    for line in sim.events:
        print(f"devd: {line}")


@dataclass
class _Laptop:
    """What ``init laptop`` was asked to build."""

    release: str = "15.0"
    radio: str = "iwn"
    detach_on_suspend: bool = False
    ctrl_interface: bool = True
    late: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    rc_conf: dict[str, str] = field(default_factory=dict)


def _init(args: list[str], sim_dir: Path) -> int:
    rest = list(args)
    if not rest or rest.pop(0) != "laptop":
        return _usage("init needs a host to build: init laptop")
    asked = _Laptop()
    while rest:
        problem = _init_option(asked, rest.pop(0), rest)
        if problem is not None:
            return _usage(problem)
    _fresh_root(sim_dir)
    release = asked.release if "." in asked.release else asked.release + ".0"
    state = laptop.new_state(release, asked.radio, detach_on_suspend=asked.detach_on_suspend)
    for name in asked.late + asked.fixed:
        if name not in state.radios:
            return _usage(f"no radio named {name!r}")
    state.rc_conf.update(asked.rc_conf)
    state.wpa_ctrl_interface = asked.ctrl_interface
    for name in asked.fixed:
        # a driver that cannot send with an overridden MAC (handbook, reference 3.5)
        state.radios[name].mac_override_ok = False
    with Sim.open(sim_dir, new=state) as sim:
        errors = laptop.power_on(sim, late=tuple(asked.late))
        _report(sim)
        rcfile.write(sim)
    devd.install(sim_dir)
    if errors:
        # the host is built as far as rc got, but the boot did not go as rc.conf says
        print(f"{PROG}: init: the boot reported errors: {errors[0]}", file=sys.stderr)
        return EX_BOOT_ERRORS
    return 0


def _init_option(asked: _Laptop, opt: str, rest: list[str]) -> str | None:
    """Take one option of ``init laptop`` (and its value from ``rest``); a problem or None."""
    if opt == "--detach-on-suspend":
        asked.detach_on_suspend = True
        return None
    if opt == "--no-ctrl-interface":
        asked.ctrl_interface = False
        return None
    if opt == "--dual-stack":
        asked.rc_conf.update(laptop.DUAL_STACK)
        return None
    if opt not in ("--release", "--radio", "--late", "--fixed-mac", "--rc") or not rest:
        return f"unexpected argument {opt!r}"
    value = rest.pop(0)
    if opt == "--release":
        asked.release = value
        if value.split(".")[0] not in RELEASES:
            return f"unsupported release {value!r} ({', '.join(RELEASES)})"
    elif opt == "--radio":
        asked.radio = value
        if value not in radios.DRIVERS:
            return f"unknown radio driver {value!r} ({', '.join(radios.DRIVERS)})"
    elif opt == "--rc":
        var, sep, text = value.partition("=")
        if not sep or not var.replace("_", "").isalnum():
            return f"--rc needs VAR=VALUE, not {var!r}"
        asked.rc_conf[var] = text
    else:
        (asked.late if opt == "--late" else asked.fixed).append(value)
    return None


def _fresh_root(sim_dir: Path) -> None:
    """A new laptop starts with a new disk: the files of an earlier one under DIR/root go.

    Only in a directory that holds a simulated host (its state.json), and never
    under a daemon still running there.
    """
    import shutil

    root = Path(sim_dir) / "root"
    if not (Path(sim_dir) / "state.json").is_file() or not root.is_dir():
        return
    pid = localrc.running_pid(root.resolve())
    if pid is not None:
        raise SimError(f"laggroam's daemon runs on this host (pid {pid}): sim daemon stop first")
    shutil.rmtree(root)


def _need(args: list[str], count: int) -> bool:
    return len(args) >= count


def _plug(sim: Sim, args: list[str]) -> str | None:
    if not _need(args, 1):
        return "plug needs an interface"
    world.plug(sim, args[0], args[1] if len(args) > 1 else "home")
    return None


def _unplug(sim: Sim, args: list[str]) -> str | None:
    if not _need(args, 1):
        return "unplug needs an interface"
    world.unplug(sim, args[0])
    return None


def _ap(sim: Sim, args: list[str]) -> str | None:
    if len(args) != 2 or args[1] not in ("on", "off"):
        return "ap needs a name and on|off"
    world.set_ap(sim, args[0], args[1] == "on")
    return None


def _roam(sim: Sim, args: list[str]) -> str | None:
    if not _need(args, 1):
        return "roam needs an access point"
    world.roam(sim, args[0])
    return None


def _suspend(sim: Sim, args: list[str]) -> str | None:
    if sim.state.suspended:
        raise SimError("already suspended")
    suspend(sim)
    return None


def _resume(sim: Sim, args: list[str]) -> str | None:
    if not sim.state.suspended:
        raise SimError("not suspended")
    resume(sim)
    return None


def _radio(sim: Sim, args: list[str]) -> str:
    if not args or args[0] not in sim.state.radios:
        raise SimError(f"no radio named {args[0] if args else ''!r}")
    return args[0]


def _detach(sim: Sim, args: list[str]) -> str | None:
    kernel.detach_radio(sim, _radio(sim, args))
    return None


def _attach(sim: Sim, args: list[str]) -> str | None:
    kernel.attach_radio(sim, _radio(sim, args))
    return None


def _late_attach(sim: Sim, args: list[str]) -> str | None:
    laptop.reboot(sim, late=(_radio(sim, args),))
    return None


def _usb(sim: Sim, args: list[str]) -> str | None:
    if not args:
        return "usb-ethernet needs an interface name"
    dev = next((d for d in sim.state.usb.values() if d.ifname == args[0]), None)
    if dev is None:
        raise SimError(f"no USB Ethernet dongle providing {args[0]}")
    if len(args) > 1 and args[1] == "unplug":
        if not dev.attached:
            raise SimError(f"{dev.ifname} is not plugged in")
        usb_unplug(sim, dev.driver)
        return None
    if dev.attached:
        raise SimError(f"{dev.ifname} is already plugged in")
    usb_plug(sim, dev.driver)
    return None


def _wpa(sim: Sim, args: list[str]) -> str | None:
    if len(args) != 2 or args[0] not in ("hang", "kill", "start"):
        return "wpa needs hang|kill|start and a wlan"
    what, ifname = args
    if what != "start" and ifname not in sim.state.supplicants:
        raise SimError(f"no wpa_supplicant runs on {ifname}")
    if what == "hang":
        daemons.hang_wpa(sim, ifname)
    elif what == "kill":
        daemons.kill_wpa(sim, ifname)
    else:
        out = rc.rc_script(sim, "wpa_supplicant", "start", [ifname])
        for line in (out.out + out.err).splitlines():
            sim.note(line)
        if out.status != 0:
            problem = (out.err or out.out).strip().splitlines()
            raise SimError(f"wpa start {ifname}: {problem[-1] if problem else 'failed'}")
    return None


def _advance(sim: Sim, args: list[str]) -> str | None:
    if not args or not args[0].isdigit():
        return "advance needs a number of seconds"
    sim.state.now += int(args[0])
    sim.note(f"clock at {sim.state.now} s")
    return None


VERBS: dict[str, Callable[[Sim, list[str]], str | None]] = {
    "plug": _plug, "unplug": _unplug, "ap": _ap, "roam": _roam, "suspend": _suspend,
    "resume": _resume, "detach": _detach, "attach": _attach, "late-attach": _late_attach,
    "usb-ethernet": _usb, "wpa": _wpa, "advance": _advance, "tick": _advance,
}  # fmt: skip

# The verbs that are not one change of the world: each runs on its own.
HOST_VERBS: dict[str, Callable[[list[str], Path], int]] = {
    "init": _init, "show": _show, "events": _events, "devd": _devd,
    "install-laggroam": _install_laggroam, "daemon": _daemon,
}  # fmt: skip


def show(sim_dir: Path) -> str:
    """A summary of the host, then ``ifconfig -a`` as the stand-in prints it."""
    state = read_only(sim_dir)
    lines = [f"FreeBSD {state.release} (simulated), clock {state.now} s"]
    for ap in sorted(state.aps.values(), key=lambda a: a.name):
        where = "in range" if ap.in_range else "out of range"
        lines.append(f"ap {ap.name}: ssid {ap.ssid} on {ap.segment}, {where}")
    for radio in state.radios.values():
        lines.append(f"radio {radio.name}: {'attached' if radio.attached else 'detached'}")
    for ifname, sup in sorted(state.supplicants.items()):
        hung = " (hung)" if sup.hung else ""
        lines.append(f"wpa_supplicant[{sup.pid}] on {ifname}: {sup.state}{hung}")
    for ifname, client in sorted(state.dhclients.items()):
        lines.append(f"dhclient[{client.pid}] on {ifname}: lease {client.addr}")
    for iface in kernel.ordered(state):
        if iface.kind == "ether":
            lines.append(f"cable {iface.name}: {iface.cable or 'unplugged'}")
    return "\n".join(lines) + "\n" + ifconfig_out.render_all(state)
