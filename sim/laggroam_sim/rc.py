"""service(8) and the rc scripts devd's stock rules run, as programs.

* ``service dhclient|wpa_supplicant|netif VERB [IF]``: usr.sbin/service/service.sh
  reaching libexec/rc/rc.d/dhclient, rc.d/wpa_supplicant (``rcd``) and
  rc.d/netif (``netif``) on rc.subr (``rcsubr``).
* ``/etc/pccard_ether``: freebsd-src libexec/rc/pccard_ether.
* ``/etc/rc.resume``, ``/etc/rc.suspend``: libexec/rc/rc.resume, rc.suspend.
"""

from laggroam_sim import netif, rcd
from laggroam_sim.netsubr import wlans_of, words
from laggroam_sim.rcsubr import Output, Prefix
from laggroam_sim.state import Sim

LOCAL_STARTUP = "/usr/local/etc/rc.d"
SCRIPTS = ("dhclient", "wpa_supplicant", "netif")
KEYWORDS = ("start", "stop", "restart", "rcvar", "enable", "disable", "delete", "enabled",
            "describe", "extracommands", "status", "poll")  # fmt: skip
PCCARD_VERBS = ("start", "stop", "restart", "startchildren", "stopchildren")
PCCARD = "/etc/pccard_ether"


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
        return netif.netif(sim, arg, rest, prefix, out)
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
        return rcd.dhclient(sim, arg, ifname, prefix, out)
    return rcd.wpa(sim, arg, ifname, prefix, out)


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
