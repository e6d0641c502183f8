"""rc.d/netif and network.subr's ``ifconfig_up``: interfaces configured as rc.conf says.

freebsd-src libexec/rc/rc.d/netif (``netif_start``/``netif_stop``,
``_wlan_down``/``_clone_down``), libexec/rc/network.subr (``ifconfig_up``,
``ifconfig_down``, ``wlan_up``, ``clone_up``) and /etc/rc's run of netif.
"""

from laggroam.core.ifname import wlan_create_args
from laggroam_sim import daemons, ifconfig_cmd, kernel, rcd
from laggroam_sim.netsubr import cloned, dhcpif, ifconfig_args, syncdhcpif, wlans_of, wpaif
from laggroam_sim.rcsubr import Output, Prefix, startmsgs
from laggroam_sim.state import Sim


def netif(sim: Sim, arg: str, ifnames: list[str], prefix: Prefix, out: Output) -> Output:
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
        out.out += rcd.wpa(sim, "stop", name, Prefix(quiet=True), Output()).out
    elif dhcpif(sim, name):
        out.out += rcd.dhclient(sim, "stop", name, Prefix(quiet=True), Output()).out
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
    from laggroam_sim import ipv6rc  # ifconfig_IF_ipv6 and rtsol (network.subr)

    out.err += ipv6rc.boot_ipv6(sim, name)
    if wpaif(sim, name):
        res2 = rcd.wpa(sim, "start", name, Prefix(), Output())
        out.out += res2.out
        out.err += res2.err
    if dhcpif(sim, name):
        ifconfig_cmd.run(sim, [name, "up"])
        if syncdhcpif(sim, name):
            res3 = rcd.dhclient(sim, "start", name, Prefix(), Output())
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
    from laggroam_sim import ipv6rc  # rc.d/rtsold: REQUIRE netif

    out.err += ipv6rc.boot_rtsold(sim)
    return out


def netif_start_create_only(sim: Sim, child: str, radio: str, out: Output) -> None:
    if child in sim.state.interfaces:
        return
    args = sim.state.rc_conf.get(f"create_args_{child}", "").split()
    res = ifconfig_cmd.run(sim, wlan_create_args(child, radio, tuple(args)))
    if res.status == 0:
        out.out += f"Created wlan(4) interfaces: {child}.\n"
