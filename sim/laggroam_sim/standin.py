"""The stand-in programs installed under DIR/bin, with FreeBSD's argv and output.

``DIR/bin/ifconfig`` etc. are tiny scripts that call ``main(prog, argv,
sim_dir)``.  Every invocation locks the simulated host, runs, lets the host
settle and prints what the real program would print.  State-changing calls
are recorded in ``state.write_calls`` (a converged host must see none).
"""

import stat
import sys
from pathlib import Path

from laggroam_sim.model import WriteCall
from laggroam_sim.state import Sim, SimError

# Each stand-in imports only what its program needs (a stand-in is started for
# every command laggroam runs): the modules are imported in the functions.

PROGRAMS = (
    "ifconfig", "service", "dhclient", "wpa_supplicant", "wpa_cli", "sysctl", "sysrc", "ps",
    "rtsol", "rtsold", "ndp",
)  # fmt: skip
# The scripts devd's stock rules name by absolute path, under DIR/root as on
# FreeBSD (freebsd-src libexec/rc/pccard_ether, rc.resume, rc.suspend).
ROOT_SCRIPTS = ("etc/pccard_ether", "etc/rc.resume", "etc/rc.suspend")

# -S: no site (its import finders and .pth files cost more than the stand-in's
# own work); the package is found where this one was imported from.
SCRIPT = """#!{python} -S
# laggroam simulator stand-in for FreeBSD's {prog}; the host lives in {up}
import sys

sys.path[:0] = {packages!r}
from pathlib import Path

from laggroam_sim.standin import main

sys.exit(main({prog!r}, sys.argv[1:], Path(__file__).resolve().parents[{depth}]))
"""

# The laggroam command of the simulated host: the product's own main, told
# which site it is on.  -S as for the stand-ins: a hook's one-shot starts one.
COMMAND = """#!{python} -S
# laggroam on the simulated host in {sim_dir}: laggroam --site {sim_dir}
import sys

sys.path[:0] = {packages!r}
from laggroam.admin.cli import main

sys.exit(main(["--site", {sim_dir!r}, *sys.argv[1:]]))
"""

DHCLIENT_USAGE = "usage: dhclient [-bdqu] [-c conffile] [-l leasefile] [-p pidfile] interface\n"


def install(sim_dir: Path) -> None:
    """Write the stand-ins into DIR/bin and DIR/root/etc (shebang: this interpreter),
    and DIR/site.ini, which tells ``laggroam --site DIR`` where they are."""
    from laggroam_sim import site

    for prog in PROGRAMS:
        _write(Path(sim_dir) / "bin" / prog, prog, 1)
    for rel in ROOT_SCRIPTS:
        _write(Path(sim_dir) / "root" / rel, Path(rel).name, 2)
    site.write(sim_dir)


def _write(path: Path, prog: str, depth: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    up = "/".join([".."] * depth) + "/"
    path.write_text(
        SCRIPT.format(python=sys.executable, prog=prog, up=up, depth=depth, packages=_packages())
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _packages(*others: str) -> list[str]:
    """Where the simulator, the product it drives and ``others`` (packages) are found."""
    import importlib.util

    import laggroam

    here = [
        str(Path(__file__).resolve().parents[1]),
        str(Path(laggroam.__file__).resolve().parents[1]),
    ]
    for name in others:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin is not None:
            up = 1 if spec.submodule_search_locations else 0
            here.append(str(Path(spec.origin).resolve().parents[up]))
    return list(dict.fromkeys(here))


def command_path(sim_dir: Path) -> Path:
    """Where the simulated host's laggroam command is: /usr/local/bin, as a package puts it."""
    return Path(sim_dir).resolve() / "root/usr/local/bin/laggroam"


def install_command(sim_dir: Path) -> Path:
    """Write the host's laggroam command (it needs the daemon's packages too); its path."""
    path = command_path(sim_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = COMMAND.format(
        python=sys.executable,
        sim_dir=str(Path(sim_dir).resolve()),
        packages=_packages("watchdog", "sdnotify"),
    )
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


class Run:
    """Collected output of one stand-in invocation."""

    def __init__(self) -> None:
        self.out = ""
        self.err = ""
        self.status = 0
        self.wrote = False
        self.devd = False  # the simulated devd is in charge of this host's events


def main(prog: str, argv: list[str], sim_dir: Path) -> int:
    """Entry point of every stand-in; prints and returns the exit status.

    When the simulated devd is in charge, the events this run raised are
    delivered before it exits (unless a delivery is already under way, which
    then delivers them), so a host never keeps undelivered events.
    """
    if prog == "service" and argv[:1] in (["devd"], ["laggroam"]):
        from laggroam_sim import localrc

        if localrc.handles(argv, sim_dir):
            # devd and the installed laggroam script: they start and stop processes,
            # so they run outside the host's lock (the daemon they start takes it).
            return localrc.main(argv, sim_dir)
    try:
        run = execute(prog, argv, sim_dir)
    except SimError as exc:
        sys.stderr.write(f"{prog}: simulator: {exc}\n")
        return 70
    sys.stdout.write(run.out)
    sys.stderr.write(run.err)
    sys.stdout.flush()
    if run.devd:
        from laggroam_sim import devd

        devd.deliver(sim_dir)
    return run.status


def execute(prog: str, argv: list[str], sim_dir: Path) -> Run:
    """Run a stand-in on the host in ``sim_dir`` and return its output."""
    from laggroam_sim import engine

    with Sim.open(sim_dir) as sim:
        run = dispatch(sim, prog, argv)
        engine.settle(sim)
        if run.wrote:
            sim.state.write_calls.append(WriteCall(sim.state.now, prog, list(argv)))
        run.devd = sim.state.devd
    return run


def dispatch(sim: Sim, prog: str, argv: list[str]) -> Run:
    run = Run()
    if prog == "ifconfig":
        from laggroam_sim import ifconfig_cmd

        res = ifconfig_cmd.run(sim, argv)
        run.out, run.err, run.status, run.wrote = (
            "".join(res.out), "".join(res.err), res.status, res.wrote,
        )  # fmt: skip
    elif prog == "service":
        from laggroam_sim import rc

        out = rc.service(sim, argv)
        run.out, run.err, run.status = out.out, out.err, out.status
        verb = argv[1] if len(argv) > 1 else ""
        run.wrote = not verb.endswith(("status", "rcvar", "describe", "enabled"))
    elif prog == "dhclient":
        _dhclient(sim, argv, run)
    elif prog == "wpa_supplicant":
        _wpa_supplicant(sim, argv, run)
    elif prog == "wpa_cli":
        _wpa_cli(sim, argv, run)
    elif prog == "sysctl":
        _sysctl(sim, argv, run)
    elif prog == "ps":
        from laggroam_sim import ps_cmd

        listed = ps_cmd.run(sim, argv)
        run.out, run.err, run.status = listed.out, listed.err, listed.status
    elif prog == "sysrc":
        from laggroam_sim import rcfile

        run.out, run.err, run.status = rcfile.sysrc(sim, argv)
    elif prog == "pccard_ether":
        from laggroam_sim import rc

        out = rc.pccard_ether(sim, argv)
        run.out, run.err, run.status = out.out, out.err, out.status
        run.wrote = True
    elif prog in ("rc.resume", "rc.suspend"):
        from laggroam_sim import rc

        out = rc.rc_power(sim, prog, argv)
        run.out, run.err, run.status = out.out, out.err, out.status
    else:
        from laggroam_sim import ipv6cmds

        texts = ipv6cmds.dispatch(sim, prog, argv, run)
        if texts is None:
            raise SimError(f"no stand-in for {prog}")
        run.out, run.err = texts
    return run


def _dhclient(sim: Sim, argv: list[str], run: Run) -> None:
    from laggroam_sim import daemons

    args = list(argv)
    ifname = None
    while args:
        word = args.pop(0)
        if word in ("-c", "-l", "-p"):
            if not args:
                run.err, run.status = DHCLIENT_USAGE, 1
                return
            args.pop(0)
        elif word.startswith("-") and len(word) > 1 and all(c in "bdqu" for c in word[1:]):
            continue
        elif word.startswith("-"):
            run.err, run.status = DHCLIENT_USAGE, 1
            return
        elif ifname is None:
            ifname = word
        else:
            run.err, run.status = DHCLIENT_USAGE, 1
            return
    if ifname is None:
        run.err, run.status = DHCLIENT_USAGE, 1
        return
    if len(ifname) >= 16:
        run.err, run.status = "Interface name too long\n", 1
        return
    run.wrote = True
    run.status, run.err = daemons.start_dhclient(sim, ifname, ["dhclient", *argv])


def _wpa_supplicant(sim: Sim, argv: list[str], run: Run) -> None:
    from laggroam_sim import daemons

    ifname = None
    pidfile = None
    args = list(argv)
    while args:
        word = args.pop(0)
        if word in ("-i", "-c", "-D", "-P", "-C", "-p") and args:
            value = args.pop(0)
            if word == "-i":
                ifname = value
            elif word == "-P":
                pidfile = value
        elif word.startswith("-i") and len(word) > 2:
            ifname = word[2:]
        elif word.startswith("-"):
            continue
    if ifname is None:
        run.out = "Interface name or config file missing\n"  # wpa_supplicant usage branch
        run.status = 255
        return
    run.wrote = True
    run.status, run.err = daemons.start_wpa(
        sim, ifname, ["wpa_supplicant", *argv], pidfile or daemons.WPA_PIDFILE.format(ifname)
    )


def _wpa_cli(sim: Sim, argv: list[str], run: Run) -> None:
    args = list(argv)
    ifname = None
    while args and args[0].startswith("-"):
        word = args.pop(0)
        if word in ("-i", "-p", "-P", "-g", "-G", "-a") and args:
            value = args.pop(0)
            if word == "-i":
                ifname = value
        elif word.startswith("-i") and len(word) > 2:
            ifname = word[2:]
    state = sim.state
    if ifname is None:
        ifname = next(iter(sorted(state.supplicants)), None)
    sup = state.supplicants.get(ifname or "")
    # wpa_supplicant opens its control socket only when the configuration has
    # ctrl_interface= (contrib/wpa/wpa_supplicant/ctrl_iface_unix.c); without
    # it wpa_cli finds no socket, whatever the supplicant is doing
    if sup is None or str(sup.pid) not in state.processes or not state.wpa_ctrl_interface:
        # contrib/wpa/wpa_supplicant/wpa_cli.c, exit status -1
        run.out = (
            f"Failed to connect to non-global ctrl_ifname: {ifname or '(null)'}  "
            "error: No such file or directory\n"
        )
        run.status = 255
        return
    command = args[0].lower() if args else "interactive"
    iface = state.interfaces.get(sup.ifname)
    if command == "status":
        run.out = _wpa_status(sim, sup.ifname)
    elif command == "ping":
        run.out = "PONG\n"
    elif command in ("reassociate", "reconnect", "reattach", "disconnect", "scan", "reconfigure"):
        run.wrote = True
        run.out = "OK\n"
        if command == "disconnect" and iface is not None:
            sup.hung = True  # stays disconnected until reconnect
            sup.state = "DISCONNECTED"
            iface.bssid = None
        elif command in ("reconnect", "reassociate") and sup.state == "DISCONNECTED":
            sup.hung = False
    elif command == "terminate":
        from laggroam_sim import daemons

        run.wrote = True
        run.out = "OK\n"
        daemons.stop_wpa(sim, sup.ifname, "terminate")
    else:
        run.out = f"Unknown command '{command}'\n"
        run.status = 1


def _wpa_status(sim: Sim, ifname: str) -> str:
    """The STATUS reply (contrib/wpa/wpa_supplicant/ctrl_iface.c, ``..._ctrl_iface_status``)."""
    from laggroam_sim.ifconfig_out import channel_freq

    state = sim.state
    sup = state.supplicants[ifname]
    iface = state.interfaces.get(ifname)
    mac = iface.mac if iface is not None else "00:00:00:00:00:00"
    ap = state.aps.get(sup.ap or "")
    lines = []
    if sup.state == "COMPLETED" and ap is not None:
        lines += [
            f"bssid={ap.bssid}", f"freq={channel_freq(ap.channel)[0]}", f"ssid={ap.ssid}",
            f"id={state.wpa_networks.index(ap.ssid) if ap.ssid in state.wpa_networks else 0}",
            "mode=station", "pairwise_cipher=CCMP", "group_cipher=CCMP", "key_mgmt=WPA2-PSK",
        ]  # fmt: skip
    lines.append(f"wpa_state={sup.state}")
    if iface is not None and iface.inet:
        lines.append(f"ip_address={iface.inet[0].addr}")
    lines.append(f"address={mac}")
    return "\n".join(lines) + "\n"


def _sysctl(sim: Sim, argv: list[str], run: Run) -> None:
    args = [a for a in argv if not a.startswith("-")]
    value_only = "-n" in argv
    values = {
        # sys/net80211/ieee80211_freebsd.c: attached radios, space separated
        "net.wlan.devices": " ".join(r.name for r in sim.state.radios.values() if r.attached),
        "kern.vm_guest": sim.state.vm_guest,
    }
    for iface in sim.state.interfaces.values():
        if iface.kind == "wlan" and iface.parent is not None:
            values[f"net.wlan.{iface.name[4:]}.%parent"] = iface.parent
    for name in args:
        if "=" in name:
            run.err += f"sysctl: oid '{name.split('=')[0]}' is read only\n"
            run.status = 1
            continue
        if name not in values:
            run.err += f"sysctl: unknown oid '{name}'\n"
            run.status = 1
            continue
        run.out += (values[name] if value_only else f"{name}: {values[name]}") + "\n"


def bin_path(sim_dir: Path, prog: str) -> Path:
    return Path(sim_dir) / "bin" / prog
