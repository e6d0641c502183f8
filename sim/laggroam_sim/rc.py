"""rc.conf, the rc.d scripts the product drives, and devd's stock rules.

* rc.conf words and the ``dhcpif``/``wpaif``/``syncdhcpif`` tests:
  freebsd-src libexec/rc/network.subr (``ifconfig_getargs``, ``ifconfig_up``,
  ``wlan_up``, ``clone_up``).
* ``service dhclient|wpa_supplicant|netif VERB [IF]``: libexec/rc/rc.d/dhclient,
  rc.d/wpa_supplicant, rc.d/netif on libexec/rc/rc.subr ``run_rc_command``
  (prefixes fast/force/one/quiet, ``status`` texts, "already running?",
  "not running?"), reached through usr.sbin/service/service.sh.
* devd's stock rules (sbin/devd/devd.conf, sbin/devd/dhclient.conf, reference
  section 2), played by the simulator while ``state.stock_devd`` is set.
"""

from collections.abc import Callable
from dataclasses import dataclass

from laggroam.core.ifname import wlan_create_args
from laggroam_sim import daemons, ifconfig_cmd, kernel
from laggroam_sim.state import Sim

PSEUDO_WORDS = {"DHCP", "SYNCDHCP", "NOSYNCDHCP", "WPA", "HOSTAP", "NOAUTO"}
LOCAL_STARTUP = "/usr/local/etc/rc.d"
SCRIPTS = ("dhclient", "wpa_supplicant", "netif")
KEYWORDS = ("start", "stop", "restart", "rcvar", "enable", "disable", "delete", "enabled",
            "describe", "extracommands", "status", "poll")  # fmt: skip
WIFI_DRIVER_RE = (
    "ath", "bwi", "bwn", "ipw", "iwlwifi", "iwi", "iwm", "iwn", "malo", "mwl", "otus", "ral",
    "rsu", "rtw", "rtwn", "rum", "run", "uath", "upgt", "ural", "urtw", "wpi", "wtap", "zyd",
)  # fmt: skip


class Output:
    """stdout, stderr and exit status of an rc.d run."""

    def __init__(self) -> None:
        self.out = ""
        self.err = ""
        self.status = 0

    def done(self, status: int) -> "Output":
        self.status = status
        return self


def words(sim: Sim, ifname: str) -> list[str]:
    return sim.state.rc_conf.get(f"ifconfig_{ifname}", "").split()


def ifconfig_args(sim: Sim, ifname: str) -> list[str]:
    """``ifconfig_getargs``: ifconfig_IF without the rc pseudo-words."""
    return [w for w in words(sim, ifname) if w.upper() not in PSEUDO_WORDS]


def dhcpif(sim: Sim, ifname: str) -> bool:
    if ifname.startswith(("lo", "stf", "lp", "sl")):
        return False
    return any(w.upper() in ("DHCP", "SYNCDHCP", "NOSYNCDHCP") for w in words(sim, ifname))


def syncdhcpif(sim: Sim, ifname: str) -> bool:
    upper = [w.upper() for w in words(sim, ifname)]
    if "SYNCDHCP" in upper:
        return True
    if "NOSYNCDHCP" in upper:
        return False
    return sim.state.rc_conf.get("synchronous_dhclient", "NO").upper() in ("YES", "TRUE", "ON")


def wpaif(sim: Sim, ifname: str) -> bool:
    return any(w.upper() == "WPA" for w in words(sim, ifname))


def wlans_of(sim: Sim, radio: str) -> list[str]:
    return sim.state.rc_conf.get(f"wlans_{radio}", "").split()


def cloned(sim: Sim) -> list[str]:
    return [w.split(":")[0] for w in sim.state.rc_conf.get("cloned_interfaces", "").split()]


# --- service(8) ----------------------------------------------------------


def service(sim: Sim, argv: list[str]) -> Output:
    """``service SCRIPT VERB [ARGS]`` as usr.sbin/service/service.sh runs it."""
    out = Output()
    if len(argv) < 2:
        out.out = (
            "\nUsage:\nservice [-j <jail name or id>] -e\nservice [-j <jail name or id>] -R\n"
            "service [-j <jail name or id>] [-v] -l | -r\n"
            "service [-j <jail name or id>] [-v] <rc.d script> start|stop|etc.\n"
            "service -h\n\n"
        )
        return out.done(1)
    script, verb, rest = argv[0], argv[1], argv[2:]
    if script not in SCRIPTS:
        out.out = (
            f"{script} does not exist in /etc/rc.d or the local startup\n"
            f"directories ({LOCAL_STARTUP}), or is not executable\n"
        )
        return out.done(1)
    return rc_script(sim, script, verb, rest)


def rc_script(sim: Sim, script: str, verb: str, rest: list[str]) -> Output:
    """``/etc/rc.d/SCRIPT VERB ARGS`` on rc.subr's ``run_rc_command``."""
    out = Output()
    path = f"/etc/rc.d/{script}"
    prefix, arg = Prefix.split(verb)
    if script == "netif":
        return _netif(sim, arg, rest, prefix, out)
    ifname = rest[0] if rest else ""
    if not ifname:
        if script == "dhclient":
            out.err = f"{path}: ERROR: {path}: no interface specified\n"
            return out.done(1)
        return out.done(1)  # rc.d/wpa_supplicant: "return 1" without an interface
    if arg not in KEYWORDS:
        out.err = (
            f"{path}: unknown directive '{arg}'.\n"
            f"Usage: {path} [fast|force|one|quiet]({'|'.join(KEYWORDS)})\n"
        )
        return out.done(1)
    if script == "dhclient":
        return _dhclient(sim, arg, ifname, prefix, out)
    return _wpa(sim, arg, ifname, prefix, out)


@dataclass
class Prefix:
    """rc.subr's verb prefixes: fast (no pid check, quiet), force, one, quiet."""

    fast: bool = False
    force: bool = False
    quiet: bool = False

    @classmethod
    def split(cls, verb: str) -> tuple["Prefix", str]:
        for word in ("fast", "force", "one", "quiet"):
            if verb.startswith(word):
                rest = verb[len(word) :]
                return cls(fast=word == "fast", force=word == "force",
                           quiet=word in ("fast", "quiet")), rest  # fmt: skip
        return cls(), verb


@dataclass
class RcService:
    """What run_rc_command needs to know about one rc.d script and interface."""

    name: str
    pidfile: str
    pid: Callable[[], int | None]
    start: Callable[[Output], int]
    stop: Callable[[], None]
    precmd: Callable[[Prefix, Output], bool] = lambda prefix, out: True
    stop_precmd: bool = False
    startmsgs: bool = True
    # rc.d/dhclient's precmd calls "exit 1" itself, so rc.subr's warning never prints
    precmd_exits: bool = False


def run_rc_command(svc: RcService, arg: str, prefix: Prefix, out: Output) -> Output:
    """The start/stop/restart/status paths of rc.subr ``run_rc_command``."""
    pid = None if prefix.fast else svc.pid()
    if arg == "status":
        if pid is not None:
            out.out += f"{svc.name} is running as pid {pid}.\n"
            return out.done(0)
        out.out += f"{svc.name} is not running.\n"
        return out.done(1)
    if arg == "restart":
        # "( run_rc_command ${_rc_prefix}stop )" then start; the status is start's
        run_rc_command(svc, "stop", prefix, out)
        return run_rc_command(svc, "start", prefix, out)
    if arg == "stop":
        if pid is None:
            if prefix.fast:
                return out.done(0)
            out.err += f"{svc.name} not running? (check {svc.pidfile}).\n"
            return out.done(1)
        if svc.stop_precmd and not svc.precmd(prefix, out):
            return out.done(1)
        out.out += f"Stopping {svc.name}.\n"
        svc.stop()
        return out.done(0)
    if arg == "start":
        if pid is not None:
            if not prefix.quiet:
                # two echo arguments: "already running? " "(pid=N)." (two spaces)
                out.err += f"{svc.name} already running?  (pid={pid}).\n"
            return out.done(1)
        if not svc.precmd(prefix, out):
            if not svc.precmd_exits:
                out.err += f"/etc/rc.d/{svc.name}: WARNING: failed precmd routine for {svc.name}\n"
            return out.done(1)
        if svc.startmsgs:
            out.out += f"Starting {svc.name}.\n"
        if svc.start(out) != 0:
            out.err += f"/etc/rc.d/{svc.name}: WARNING: failed to start {svc.name}\n"
            return out.done(1)
        return out.done(0)
    return out.done(0)  # rcvar, describe, enabled...: nothing the simulator models


def dhclient_service(sim: Sim, ifname: str) -> RcService:
    """libexec/rc/rc.d/dhclient for one interface."""

    def precmd(prefix: Prefix, out: Output) -> bool:
        # dhclient_pre_check: refuse a non-DHCP interface unless forced
        if prefix.force or dhcpif(sim, ifname):
            return True
        if not prefix.quiet:
            out.out += f"'{ifname}' is not a DHCP-enabled interface\n"
        return False

    def start(out: Output) -> int:
        status, err = daemons.start_dhclient(sim, ifname, ["/sbin/dhclient", ifname])
        out.err += err
        return status

    return RcService(
        name="dhclient",
        pidfile=daemons.DHCLIENT_PIDFILE.format(ifname),
        pid=lambda: daemons.dhclient_pid(sim.state, ifname),
        start=start,
        stop=lambda: daemons.stop_dhclient(sim, ifname),
        precmd=precmd,
        stop_precmd=True,
        precmd_exits=True,
    )


WPA_PROGRAMS = ("/usr/sbin/wpa_supplicant", "/usr/local/sbin/wpa_supplicant")


def wpa_service(sim: Sim, ifname: str) -> RcService:
    """libexec/rc/rc.d/wpa_supplicant for one interface.

    ``command=${wpa_supplicant_program}``, ``command_args="-B -i IF -c CONF
    -D DRIVER -P /var/run/wpa_supplicant/IF.pid"``; rc.subr runs ``$command
    $rc_flags $command_args`` with ``rc_flags`` from ``wpa_supplicant_flags``
    (defaults ``/usr/sbin/wpa_supplicant``, ``-s``, /etc/defaults/rc.conf).
    The driver is ``ndis`` for an NDIS interface (the 7-era script matched
    ``ndis*`` names; the current one the ``%parent`` sysctl), else ``bsd``.
    """
    pidfile = daemons.WPA_PIDFILE.format(ifname)
    rc_conf = sim.state.rc_conf
    program = rc_conf.get("wpa_supplicant_program", WPA_PROGRAMS[0])
    flags = rc_conf.get("wpa_supplicant_flags", "-s").split()
    conf = rc_conf.get("wpa_supplicant_conf_file", "/etc/wpa_supplicant.conf")
    iface = sim.state.interfaces.get(ifname)
    ndis = ifname.startswith("ndis") or (
        iface is not None and (iface.parent or "").startswith("ndis")
    )

    def start(out: Output) -> int:
        if program not in WPA_PROGRAMS:
            # rc.subr run_rc_command: the command must be executable
            out.err += f"/etc/rc.d/wpa_supplicant: WARNING: run_rc_command: cannot run {program}\n"
            return 1
        argv = [program, *flags, "-B", "-i", ifname, "-c", conf,
                "-D", "ndis" if ndis else "bsd", "-P", pidfile]  # fmt: skip
        status, err = daemons.start_wpa(sim, ifname, argv, pidfile)
        out.err += err
        return status

    return RcService(
        name="wpa_supplicant",
        pidfile=pidfile,
        pid=lambda: daemons.wpa_pid(sim.state, ifname),
        start=start,
        stop=lambda: daemons.stop_wpa(sim, ifname),
    )


def _dhclient(sim: Sim, arg: str, ifname: str, prefix: Prefix, out: Output) -> Output:
    svc = dhclient_service(sim, ifname)
    svc.startmsgs = startmsgs(sim, prefix)
    return run_rc_command(svc, arg, prefix, out)


def _wpa(sim: Sim, arg: str, ifname: str, prefix: Prefix, out: Output) -> Output:
    svc = wpa_service(sim, ifname)
    svc.startmsgs = startmsgs(sim, prefix)
    return run_rc_command(svc, arg, prefix, out)


def _netif(sim: Sim, arg: str, ifnames: list[str], prefix: Prefix, out: Output) -> Output:
    """rc.d/netif start|stop|restart [IF ...] (libexec/rc/rc.d/netif, reference 5.2).

    stop deconfigures, then destroys wlan and cloned interfaces named
    (``_wlan_down``/``_clone_down``); ``netif_common`` prints "Starting
    Network: ..."/"Stopping Network: ..." and each interface's ifconfig
    block through ``startmsg``.
    """
    if arg not in ("start", "stop", "restart"):
        out.err = (
            f"/etc/rc.d/netif: unknown directive '{arg}'.\n"
            "Usage: /etc/rc.d/netif [fast|force|one|quiet](start|stop|restart|rcvar|enable|"
            "disable|delete|enabled|describe|extracommands|cloneup|clonedown|clear|vnetup|"
            "vnetdown)\n"
        )
        return out.done(1)
    names = ifnames or [i.name for i in kernel.ordered(sim.state)]
    show = startmsgs(sim, prefix)
    if arg in ("stop", "restart"):
        done = []
        for name in names:
            if name not in sim.state.interfaces:
                out.err += f"/etc/rc.d/netif: WARNING: {name} does not exist.  Skipped.\n"
                continue
            ifn_stop(sim, name, out)
            done.append(name)
        _network_msg(sim, "Stopping", done, show, out)
        for name in done:
            iface = sim.state.interfaces.get(name)
            if iface is not None and iface.kind == "wlan":
                ifconfig_cmd.run(sim, [name, "destroy"])
                out.out += f"Destroyed wlan(4) interfaces: {name}.\n"
            elif iface is not None and iface.kind == "lagg" and name in cloned(sim):
                ifconfig_cmd.run(sim, [name, "destroy"])
                out.out += f"Destroyed clone interfaces: {name}.\n"
    if arg in ("start", "restart"):
        done = []
        for name in names:
            netif_start(sim, name, out)
            if name in sim.state.interfaces:
                done.append(name)
        _network_msg(sim, "Starting", done, show, out)
    return out.done(0)


def startmsgs(sim: Sim, prefix: Prefix) -> bool:
    """rc.subr ``check_startmsgs``: quiet runs print only when rc_startmsgs is YES (default)."""
    if not prefix.quiet:
        return True
    return sim.state.rc_conf.get("rc_startmsgs", "YES").upper() in ("YES", "TRUE", "ON", "1")


def _network_msg(sim: Sim, verb: str, names: list[str], show: bool, out: Output) -> None:
    if not names or not show:
        return
    daemons.step(sim)  # the kernel has reacted by the time rc prints
    out.out += f"{verb} Network: {' '.join(names)}.\n"
    for name in names:
        out.out += "".join(ifconfig_cmd.run(sim, [name]).out)


def ifn_stop(sim: Sim, name: str, out: Output) -> None:
    """network.subr ``ifconfig_down``: stop wpa_supplicant or dhclient, then down."""
    if wpaif(sim, name):
        out.out += _wpa(sim, "stop", name, Prefix(quiet=True), Output()).out
    elif dhcpif(sim, name):
        out.out += _dhclient(sim, "stop", name, Prefix(quiet=True), Output()).out
    if name in sim.state.interfaces:
        ifconfig_cmd.run(sim, [name, "down"])


def netif_start(sim: Sim, name: str, out: Output) -> None:
    """``netif quietstart IF``: create it if rc.conf clones it, then ``ifconfig_up``."""
    state = sim.state
    if name not in state.interfaces:
        parent = next((r for r in state.radios if name in wlans_of(sim, r)), None)
        if parent is not None:
            args = state.rc_conf.get(f"create_args_{name}", "").split()
            res = ifconfig_cmd.run(sim, wlan_create_args(name, parent, tuple(args)))
            out.err += "".join(res.err)
            if res.status == 0:
                out.out += f"Created wlan(4) interfaces: {name}.\n"
        elif name in cloned(sim):
            args = state.rc_conf.get(f"create_args_{name}", "").split()
            res = ifconfig_cmd.run(sim, [name, "create", *args])
            out.err += "".join(res.err)
            if res.status == 0:
                out.out += f"Created clone interfaces: {name}.\n"
    if name not in state.interfaces:
        return
    ifconfig_up(sim, name, out)


def ifconfig_up(sim: Sim, name: str, out: Output) -> None:
    """network.subr ``ifconfig_up``."""
    args = ifconfig_args(sim, name)
    if args:
        res = ifconfig_cmd.run(sim, [name, *args])
        out.out += "".join(res.out)
        out.err += "".join(res.err)
    from laggroam_sim import ipv6cmds  # ifconfig_IF_ipv6 and rtsol (network.subr)

    out.err += ipv6cmds.boot_ipv6(sim, name)
    if wpaif(sim, name):
        res2 = _wpa(sim, "start", name, Prefix(), Output())
        out.out += res2.out
        out.err += res2.err
    if dhcpif(sim, name):
        ifconfig_cmd.run(sim, [name, "up"])
        if syncdhcpif(sim, name):
            res3 = _dhclient(sim, "start", name, Prefix(), Output())
            out.out += res3.out
            out.err += res3.err


def boot(sim: Sim) -> Output:
    """/etc/rc's rc.d/netif start: wlan_up, clone_up, then each interface in ifconfig -l order."""
    out = Output()
    state = sim.state
    for radio in state.radios.values():
        if radio.attached:
            for child in wlans_of(sim, radio.name):
                netif_start_create_only(sim, child, radio.name, out)
    for name in cloned(sim):
        if name not in state.interfaces:
            args = state.rc_conf.get(f"create_args_{name}", "").split()
            ifconfig_cmd.run(sim, [name, "create", *args])
    for iface in kernel.ordered(state):
        ifconfig_up(sim, iface.name, out)
    from laggroam_sim import ipv6cmds  # rc.d/rtsold: REQUIRE netif

    out.err += ipv6cmds.boot_rtsold(sim)
    return out


def netif_start_create_only(sim: Sim, child: str, radio: str, out: Output) -> None:
    if child in sim.state.interfaces:
        return
    args = sim.state.rc_conf.get(f"create_args_{child}", "").split()
    res = ifconfig_cmd.run(sim, wlan_create_args(child, radio, tuple(args)))
    if res.status == 0:
        out.out += f"Created wlan(4) interfaces: {child}.\n"


# --- devd's stock rules -------------------------------------------------


def _major(sim: Sim) -> int:
    head = sim.state.release.split(".", 1)[0]
    return int(head) if head.isdigit() else 15


def wifi_drivers(sim: Sim) -> tuple[str, ...]:
    """wifi-driver-regex: the list up to 13.x lacks iwlwifi and rtw (older
    sbin/devd/devd.conf; reference section 0)."""
    if _major(sim) >= 14:
        return WIFI_DRIVER_RE
    return tuple(d for d in WIFI_DRIVER_RE if d not in ("iwlwifi", "rtw"))


def attach_excluded(sim: Sim) -> tuple[str, ...]:
    """The IFNET ATTACH rule's ``"!(usbus|wlan)[0-9]+"`` (14.x and later);
    ``"!usbus[0-9]+"`` up to 13.x, so pccard_ether also starts a new wlan."""
    return ("usbus", "wlan") if _major(sim) >= 14 else ("usbus",)


def stock_devd(sim: Sim, line: str) -> None:
    """Run what the stock devd.conf would run for ``line`` (first match only)."""
    state = sim.state
    if line.startswith(("+", "-")):
        name = line[1:].split(" ", 1)[0]
        base = name.rstrip("0123456789")
        if base in wifi_drivers(sim) and name in state.radios:
            # /etc/pccard_ether $device-name startchildren|stopchildren
            for child in wlans_of(sim, name):
                if line[0] == "+" and child not in state.interfaces:
                    netif_start(sim, child, Output())
                elif line[0] == "-" and child in state.interfaces:
                    ifn_stop(sim, child, Output())
        return
    fields = dict(w.split("=", 1) for w in line[1:].split(" ") if "=" in w)
    if fields.get("system") != "IFNET":
        return
    ifname = fields.get("subsystem", "")
    iface = state.interfaces.get(ifname)
    if fields.get("type") == "LINK_UP" and iface is not None and iface.kind != "loop":
        # media-type ethernet / 802.11: service dhclient quietstart $subsystem
        rc_script(sim, "dhclient", "quietstart", [ifname])
    elif (
        fields.get("type") == "ATTACH"
        and not ifname.startswith(attach_excluded(sim))
        and iface is not None
        and not iface.up
    ):
        # /etc/pccard_ether $subsystem start: nothing when already up
        netif_start(sim, ifname, Output())


# --- the scripts devd's stock rules run -----------------------------------


PCCARD_VERBS = ("start", "stop", "restart", "startchildren", "stopchildren")
PCCARD = "/etc/pccard_ether"


def pccard_ether(sim: Sim, argv: list[str]) -> Output:
    """``/etc/pccard_ether IF [start|stop|restart|startchildren|stopchildren]``
    (freebsd-src libexec/rc/pccard_ether; the verb defaults to start)."""
    out = Output()
    ifname = argv[0] if argv else ""
    verb = argv[1] if len(argv) > 1 else "start"
    if verb not in PCCARD_VERBS:
        out.err = (
            f"{PCCARD}: unknown directive '{verb}'.\n"
            f"Usage: {PCCARD} [fast|force|one|quiet]({'|'.join(PCCARD_VERBS)})\n"
        )
        return out.done(1)
    if verb in ("startchildren", "stopchildren"):
        # get_if_var $ifn wlans_IF; startchildren skips children that exist
        for child in wlans_of(sim, ifname):
            if verb == "startchildren" and child in sim.state.interfaces:
                continue
            res = rc_script(sim, "netif", "quiet" + verb[: -len("children")], [child])
            out.out += res.out
            out.err += res.err
        return out.done(0)
    if any(w.upper() == "NOAUTO" for w in words(sim, ifname)):
        return out.done(0)  # checkauto: interfaces marked NOAUTO are ignored
    if verb in ("stop", "restart"):
        res = rc_script(sim, "netif", "quietstop", [ifname])
        out.out += res.out
        out.err += res.err
    if verb in ("start", "restart"):
        iface = sim.state.interfaces.get(ifname)
        if iface is None:
            return out.done(1)  # ifexists $ifn || exit 1
        if iface.up:
            return out.done(0)  # listed by "ifconfig -ul": already up, ignored
        res = rc_script(sim, "netif", "quietstart", [ifname])
        out.out += res.out
        out.err += res.err
    return out.done(0)


def rc_power(sim: Sim, script: str, argv: list[str]) -> Output:
    """``/etc/rc.suspend`` or ``/etc/rc.resume acpi STATE`` (freebsd-src libexec/rc/rc.resume,
    rc.suspend): check the two arguments, log, and run the rc.d scripts whose
    KEYWORD has ``suspend``/``resume`` (laggroam_sim.rcresume)."""
    out = Output()
    if len(argv) != 2:
        out.out = f"Usage: /etc/{script} [apm|acpi] [standby,suspend|1-4]\n"
        return out.done(1)
    what = "resumed" if script == "rc.resume" else "suspend"
    sim.note(f"{argv[0]}: {what} ({script} {' '.join(argv)})")
    verb = "resume" if script == "rc.resume" else "suspend"
    from laggroam_sim import rcresume  # subprocess, tempfile: only rc.resume needs them

    text, notes = rcresume.run_scripts(sim.dir.resolve() / "root", verb)
    out.out += text
    for note in notes:
        sim.note(f"{script}: {note}")
    return out.done(0)
