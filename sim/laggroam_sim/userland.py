"""The simulated host's programs: which code answers each stand-in's argv, on the open host.

``dispatch`` runs one program on a host already opened (and locked) by the
caller and settles nothing: ``standin.execute`` wraps it with the lock and the
settling, devd's inline actions (``devdactions``) call it on the host they hold.
"""

from laggroam_sim.state import Sim, SimError

# Each stand-in imports only what its program needs (a stand-in is started for
# every command laggroam runs): the modules are imported in the functions.

DHCLIENT_USAGE = "usage: dhclient [-bdqu] [-c conffile] [-l leasefile] [-p pidfile] interface\n"


class Run:
    """Collected output of one stand-in invocation."""

    def __init__(self) -> None:
        self.out = ""
        self.err = ""
        self.status = 0
        self.wrote = False
        self.devd = False  # the simulated devd is in charge of this host's events


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
