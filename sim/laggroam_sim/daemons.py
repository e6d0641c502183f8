"""wpa_supplicant and dhclient as the simulator models them.

Processes are records with sim-allocated pids and pidfiles; their timed
behaviour is resolved synchronously by ``step`` (called from
``engine.settle``) so that nothing ever sleeps.

dhclient (freebsd-src sbin/dhclient/dhclient.c, reference 5.4): one per
interface, pidfile ``/var/run/dhclient/dhclient.IF.pid``; keeps running on
link loss; exits when the interface loses IFF_UP ("Interface IF is down,
dhclient exiting") or departs ("IF is gone, dhclient exiting"); on link up
it re-requests its lease (``state_reboot``).

wpa_supplicant (reference 5.3): associates while it runs, a configured SSID
is in range and the wlan's MAC is usable; it outlives its interface and
takes over a re-created one of the same name (driver_bsd.c); ``hang``
leaves it running but never associating, ``kill`` makes it die the way
crashed daemons do, leaving its pidfile behind.
"""

import ipaddress

from laggroam_sim import kernel, world
from laggroam_sim.model import Dhclient, Process, SimState, Supplicant
from laggroam_sim.state import Sim

DHCLIENT_PIDFILE = "/var/run/dhclient/dhclient.{}.pid"
WPA_PIDFILE = "/var/run/wpa_supplicant/{}.pid"


def running(state: SimState, pidfile: str, prog: str) -> int | None:
    """rc.subr ``check_pidfile``: the pid in ``pidfile`` if that process runs ``prog``."""
    pid = state.pidfiles.get(pidfile)
    if pid is None:
        return None
    proc = state.processes.get(str(pid))
    return pid if proc is not None and proc.prog == prog else None


def _spawn(sim: Sim, prog: str, argv: list[str], ifname: str, pidfile: str) -> int:
    pid = sim.alloc_pid()
    sim.state.processes[str(pid)] = Process(pid, prog, argv, ifname)
    sim.state.pidfiles[pidfile] = pid
    return pid


def _exit(sim: Sim, pid: int, pidfile: str | None, why: str) -> None:
    proc = sim.state.processes.pop(str(pid), None)
    if pidfile is not None:
        sim.state.pidfiles.pop(pidfile, None)
    if proc is not None:
        sim.note(f"{proc.prog}[{pid}] on {proc.ifname} exited: {why}")


# --- dhclient -------------------------------------------------------------


def dhclient_pid(state: SimState, ifname: str) -> int | None:
    return running(state, DHCLIENT_PIDFILE.format(ifname), "dhclient")


def start_dhclient(sim: Sim, ifname: str, argv: list[str]) -> tuple[int, str]:
    """Run dhclient in the foreground until bound; returns (exit status, stderr)."""
    state = sim.state
    pid = dhclient_pid(state, ifname)
    if pid is not None:
        return 1, f"dhclient already running, pid: {pid}.\n"
    iface = state.interfaces.get(ifname)
    if iface is None:
        # discover_interfaces() finds no such interface (dhclient.c)
        return 1, f"{ifname}: not found\n"
    if not iface.link:
        # dhclient.c main(): "no link ...", one dot a second, gives up after ~10 s
        state.now += 11
        return 1, f"{ifname}: no link ..." + "." * 11 + " giving up\n"
    if not iface.up:
        kernel.set_up(sim, ifname, True)
    pid = _spawn(sim, "dhclient", argv, ifname, DHCLIENT_PIDFILE.format(ifname))
    # a new dhclient first asks for the lease recorded in its lease file
    # (dhclient.c: state_reboot with /var/db/dhclient.leases.IF)
    client = Dhclient(ifname=ifname, pid=pid, link_seen=True, addr=state.lease_files.get(ifname))
    state.dhclients[ifname] = client
    sim.note(f"dhclient[{pid}] started on {ifname}")
    return 0, _request(sim, client)


def _request(sim: Sim, client: Dhclient) -> str:
    """DHCPREQUEST for the recorded lease (or DISCOVER); bind what the server gives."""
    state = sim.state
    iface = state.interfaces[client.ifname]
    segment = world.segment_of(state, client.ifname)
    if segment is None:
        return ""
    answer = world.dhcp_request(state, segment, iface.mac, client.addr)
    if answer is None:
        return f"DHCPDISCOVER on {client.ifname} to 255.255.255.255 port 67 interval 7\n"
    addr, prefixlen = answer
    server = world.router_of(state.segments[segment]) or "255.255.255.255"
    old = client.addr
    if old is not None and old != addr:
        # the scenario figures: a new address on the same network is a
        # change no roaming explains (the server saw another client, a MAC)
        subnet = state.segments[segment].subnet or ""
        same = subnet and ipaddress.ip_address(old) in ipaddress.ip_network(subnet)
        table = state.readdressed if same else state.renumbered
        table[client.ifname] = table.get(client.ifname, 0) + 1
    if old is not None and old != addr and any(a.addr == old for a in iface.inet):
        kernel.del_inet(sim, client.ifname, old)
    if not any(a.addr == addr for a in iface.inet):
        kernel.add_inet(sim, client.ifname, addr, prefixlen)
    client.addr, client.prefixlen, client.segment = addr, prefixlen, segment
    state.lease_files[client.ifname] = addr
    # message texts of sbin/dhclient/dhclient.c (note(): DHCPREQUEST, DHCPACK, bound)
    return (
        f"DHCPREQUEST on {client.ifname} to 255.255.255.255 port 67\n"
        f"DHCPACK from {server}\n"
        f"bound to {addr} -- renewal in 43200 seconds.\n"
    )


def stop_dhclient(sim: Sim, ifname: str, why: str = "SIGTERM") -> None:
    client = sim.state.dhclients.pop(ifname, None)
    if client is not None:
        _exit(sim, client.pid, DHCLIENT_PIDFILE.format(ifname), why)


def _step_dhclients(sim: Sim) -> None:
    state = sim.state
    for ifname, client in list(state.dhclients.items()):
        if str(client.pid) not in state.processes:
            del state.dhclients[ifname]
            continue
        iface = state.interfaces.get(ifname)
        if iface is None:
            stop_dhclient(sim, ifname, f"{ifname} is gone, dhclient exiting")
            continue
        if not iface.up:
            stop_dhclient(sim, ifname, f"Interface {ifname} is down, dhclient exiting")
            continue
        if iface.link and not client.link_seen:
            client.link_seen = True
            sim.note(f"dhclient on {ifname}: link up, re-requesting its lease")
            _request(sim, client)
        elif not iface.link:
            client.link_seen = False


# --- wpa_supplicant -------------------------------------------------------


def wpa_pid(state: SimState, ifname: str) -> int | None:
    return running(state, WPA_PIDFILE.format(ifname), "wpa_supplicant")


def start_wpa(sim: Sim, ifname: str, argv: list[str], pidfile: str) -> tuple[int, str]:
    """``wpa_supplicant -B -i IF ...``; returns (exit status, stderr)."""
    state = sim.state
    iface = state.interfaces.get(ifname)
    if iface is None or iface.kind != "wlan":
        return 255, f"Could not read interface {ifname} flags: Device not configured\n" + (
            f"{ifname}: Failed to initialize driver interface\n"
        )
    if ifname in state.supplicants and str(state.supplicants[ifname].pid) in state.processes:
        return 255, (
            "ctrl_iface exists and seems to be in use - cannot override it\n"
            f"Delete '/var/run/wpa_supplicant/{ifname}' manually if it is not used anymore\n"
            f"Failed to initialize control interface '/var/run/wpa_supplicant'.\n"
        )
    pid = _spawn(sim, "wpa_supplicant", argv, ifname, pidfile)
    state.supplicants[ifname] = Supplicant(ifname=ifname, pid=pid)
    # the bsd driver brings its interface up when it starts (inferred)
    kernel.set_up(sim, ifname, True)
    sim.note(f"wpa_supplicant[{pid}] started on {ifname}")
    return 0, ""


def stop_wpa(sim: Sim, ifname: str, why: str = "SIGTERM") -> None:
    """wpa_supplicant exits cleanly: its bsd driver's deinit marks the interface
    down (contrib/wpa/src/drivers/driver_bsd.c ``wpa_driver_bsd_deinit`` calls
    ``bsd_ctrl_iface(drv, 0)``, which clears IFF_UP), so wlan0 is left down,
    never active in a lagg, until someone brings it up again."""
    sup = sim.state.supplicants.pop(ifname, None)
    if sup is None:
        return
    _exit(sim, sup.pid, WPA_PIDFILE.format(ifname), why)
    _disassociate(sim, ifname)
    if ifname in sim.state.interfaces:
        kernel.set_up(sim, ifname, False)


def kill_wpa(sim: Sim, ifname: str) -> None:
    """wpa_supplicant dies: the process is gone, the pidfile stays (a crash)."""
    sup = sim.state.supplicants.pop(ifname, None)
    if sup is None:
        return
    _exit(sim, sup.pid, None, "killed")
    _disassociate(sim, ifname)


def hang_wpa(sim: Sim, ifname: str) -> None:
    """wpa_supplicant keeps running but never associates again."""
    sup = sim.state.supplicants.get(ifname)
    if sup is None:
        return
    sup.hung = True
    sup.state = "SCANNING"
    sup.ap = None
    sim.note(f"wpa_supplicant on {ifname} hangs in SCANNING")
    _disassociate(sim, ifname)


def _disassociate(sim: Sim, ifname: str) -> None:
    iface = sim.state.interfaces.get(ifname)
    if iface is not None and iface.bssid is not None:
        iface.bssid = None
        sim.note(f"{ifname} disassociated")


def _mac_usable(state: SimState, ifname: str) -> bool:
    iface = state.interfaces[ifname]
    radio = kernel.radio_of(state, iface)
    if radio is None or not radio.attached or radio.silent:
        return False
    return radio.mac_override_ok or iface.mac == iface.hwaddr


def _step_supplicants(sim: Sim) -> None:
    state = sim.state
    for ifname, sup in list(state.supplicants.items()):
        if str(sup.pid) not in state.processes:
            del state.supplicants[ifname]
            continue
        iface = state.interfaces.get(ifname)
        if iface is None:
            # RTM_IFANNOUNCE departure: the process stays, its interface is
            # marked removed (contrib/wpa/src/drivers/driver_bsd.c
            # wpa_driver_bsd_event_receive, EVENT_INTERFACE_REMOVED)
            if not sup.removed:
                sup.removed, sup.state, sup.ap = True, "INTERFACE_DISABLED", None
                sim.note(f"wpa_supplicant on {ifname}: interface removed, waiting for it")
            continue
        if sup.removed:
            # arrival under the same name: it takes the new ifnet over, and
            # marks it up to scan (driver_bsd.c IFAN_ARRIVAL, bsd_ctrl_iface)
            sup.removed = False
            sim.note(f"wpa_supplicant on {ifname}: interface added, taking it over")
            kernel.set_up(sim, ifname, True)
        if sup.hung:
            continue
        if not iface.up or state.suspended:
            sup.state = "INTERFACE_DISABLED" if not iface.up else "DISCONNECTED"
            _disassociate(sim, ifname)
            continue
        current = state.aps.get(sup.ap or "")
        ok = _mac_usable(state, ifname)
        if current is not None and current.in_range and ok and iface.bssid == current.bssid:
            continue
        if iface.bssid is not None:
            # leaving the BSS is its own link change (ieee80211_notify_node_leave,
            # sys/net80211/ieee80211_freebsd.c); joining another comes next round
            sup.ap, sup.state = None, "SCANNING"
            _disassociate(sim, ifname)
            continue
        candidates = [
            ap
            for ssid in state.wpa_networks
            for ap in sorted(state.aps.values(), key=lambda a: a.name)
            if ap.ssid == ssid and ap.in_range
        ]
        if candidates and ok:
            ap = candidates[0]
            sup.ap, sup.state = ap.name, "COMPLETED"
            iface.bssid = ap.bssid
            sim.note(f"{ifname} associated with {ap.ssid} ({ap.bssid})")
        else:
            sup.ap, sup.state = None, "SCANNING"
            _disassociate(sim, ifname)


def step(sim: Sim) -> None:
    """One round of daemon behaviour; engine.settle repeats until nothing changes."""
    _step_supplicants(sim)
    kernel.settle_links(sim)
    _step_dhclients(sim)
