"""rc.d/dhclient and rc.d/wpa_supplicant for one interface, on rc.subr.

freebsd-src libexec/rc/rc.d/dhclient (``dhclient_pre_check``) and
libexec/rc/rc.d/wpa_supplicant (its ``command_args``), run by
``rcsubr.run_rc_command``.
"""

from laggroam_sim import daemons
from laggroam_sim.netsubr import dhcpif
from laggroam_sim.rcsubr import Output, Prefix, RcService, run_rc_command, startmsgs
from laggroam_sim.state import Sim

WPA_PROGRAMS = ("/usr/sbin/wpa_supplicant", "/usr/local/sbin/wpa_supplicant")


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


def dhclient(sim: Sim, arg: str, ifname: str, prefix: Prefix, out: Output) -> Output:
    svc = dhclient_service(sim, ifname)
    svc.startmsgs = startmsgs(sim, prefix)
    return run_rc_command(svc, arg, prefix, out)


def wpa(sim: Sim, arg: str, ifname: str, prefix: Prefix, out: Output) -> Output:
    svc = wpa_service(sim, ifname)
    svc.startmsgs = startmsgs(sim, prefix)
    return run_rc_command(svc, arg, prefix, out)
