"""The kernel side of the simulated host: ifnets, lagg(4), radios, link state.

Each function changes ``sim.state`` the way the FreeBSD kernel would and
emits the devd records it would write.  lagg facts come from freebsd-src
sys/net/if_lagg.c (``lagg_port_create``, ``lagg_port_destroy``,
``lagg_link_active``, ``lagg_linkstate``, ``lagg_port2req``, ``lagg_init``)
as summarised in the shared reference section 3; errno values are returned
as names (``"EEXIST"``) so the stand-in ifconfig can print strerror text.
"""

from laggroam_sim import journal
from laggroam_sim.laggports import active_port, port_active
from laggroam_sim.model import ZERO_MAC, Iface, Inet, Radio, SimState
from laggroam_sim.state import Sim

# What a re-association costs on the simulated clock (scan, authentication,
# 4-way handshake); a guess of the order of magnitude, not a measured figure.
REASSOCIATION_SECONDS = 2
PROGRAM_MS = 5

# sys/net/if_lagg.h
LAGG_MAX_PORTS = 32
PORT_MASTER = 0x01
PORT_ACTIVE = 0x04
PORT_COLLECTING = 0x08
PORT_DISTRIBUTING = 0x10
PORT_BITS = ((0x01, "MASTER"), (0x02, "STACK"), (0x04, "ACTIVE"), (0x08, "COLLECTING"),
             (0x10, "DISTRIBUTING"))  # fmt: skip
# IFCAP_* bits of an em(4) NIC as the fixtures print them: 15.x
# (lagg-failover-em0-em1-15.txt) and 11.0 (em-no-carrier-11.0.txt)
ETHER_CAPS = 0x4E504BB
ETHER_CAPS_11 = 0x4019B
LAGG_PROTOS = ("failover", "lacp", "loadbalance", "roundrobin", "broadcast", "none")

STRERROR = {
    "EINVAL": "Invalid argument",
    "EEXIST": "File exists",
    "EBUSY": "Device busy",
    "ENOENT": "No such file or directory",
    "ENOSPC": "No space left on device",
    "EPROTONOSUPPORT": "Protocol not supported",
    "ENXIO": "Device not configured",
}


def get(state: SimState, name: str) -> Iface | None:
    return state.interfaces.get(name)


def ordered(state: SimState) -> list[Iface]:
    """Interfaces in if_index order, the order ifconfig lists them."""
    return sorted(state.interfaces.values(), key=lambda i: i.index)


def _attach_ifnet(sim: Sim, iface: Iface) -> None:
    # IFNET ATTACH from if_attach_internal (sys/net/if.c), then ETHERNET
    # IFATTACH from ether_ifattach (sys/net/if_ethersubr.c) for Ethernet-like
    # ifnets; order as in fixtures/devd-events.txt.
    sim.state.interfaces[iface.name] = iface
    sim.emit(journal.ifnet(iface.name, "ATTACH"))
    if iface.kind != "loop":
        sim.emit(journal.notify("ETHERNET", iface.name, "IFATTACH"))
    sim.note(f"{iface.name} attached")


def attach_ether(sim: Sim, name: str, mac: str, *, device: str | None = None) -> Iface:
    """A wired NIC's ifnet appears (driver attach or USB plug)."""
    iface = Iface(
        name=name,
        index=sim.alloc_index(),
        kind="ether",
        mac=mac,
        hwaddr=mac,
        caps=ETHER_CAPS if _release_major(sim.state) >= 14 else ETHER_CAPS_11,
        device=device,
    )
    _attach_ifnet(sim, iface)
    return iface


def attach_loopback(sim: Sim) -> Iface:
    iface = Iface(
        name="lo0", index=sim.alloc_index(), kind="loop", mac="", hwaddr="", up=True,
        mtu=16384, caps=0x680003,
    )  # fmt: skip
    iface.inet.append(Inet("127.0.0.1", 8))
    _attach_ifnet(sim, iface)
    return iface


def create_wlan(
    sim: Sim, name: str, parent: str, *, wlanaddr: str | None = None, country: str | None = None
) -> str | None:
    """``ifconfig wlanN create wlandev PARENT``; returns an errno name or None.

    The parent must be an attached radio (``ieee80211_find_com`` in
    sys/net80211/ieee80211_freebsd.c ``wlan_clone_create``).  The vap takes the
    radio's MAC unless ``wlanaddr`` is given.
    """
    radio = sim.state.radios.get(parent)
    if radio is None or not radio.attached:
        return "ENXIO"
    if name in sim.state.interfaces:
        return "EEXIST"
    mac = wlanaddr or radio.mac
    iface = Iface(
        name=name, index=sim.alloc_index(), kind="wlan", mac=mac, hwaddr=mac, parent=parent,
        country=country or "US",
    )  # fmt: skip
    _attach_ifnet(sim, iface)
    return None


def create_lagg(sim: Sim, name: str) -> str | None:
    """``ifconfig laggN create``: MAC all zeros, failover (if_lagg.c ``lagg_clone_create``)."""
    if name in sim.state.interfaces:
        return "EEXIST"
    iface = Iface(name=name, index=sim.alloc_index(), kind="lagg", mac=ZERO_MAC, hwaddr=ZERO_MAC)
    _attach_ifnet(sim, iface)
    return None


def rename(sim: Sim, name: str, new: str) -> str | None:
    """``ifconfig NAME name NEW`` (SIOCSIFNAME); returns an errno name or None.

    The new name must be free (sys/net/if.c ``if_rename``: EEXIST).  The
    simulator renames only an interface outside any lagg and emits no devd
    event for it: both are its own simplifications, not read in the kernel.
    """
    state = sim.state
    iface = state.interfaces.get(name)
    if iface is None:
        return "ENXIO"
    if new in state.interfaces:
        return "EEXIST"
    if iface.lagg is not None or iface.ports:
        return "EBUSY"
    del state.interfaces[name]
    iface.name = new
    state.interfaces[new] = iface
    sim.note(f"{name} renamed {new}")
    return None


def destroy(sim: Sim, name: str) -> None:
    """An ifnet departs (destroy, driver detach, USB unplug).

    A lagg member leaves its lagg first, exactly as ``-laggport`` but keeping
    no MAC restore (``lagg_port_ifdetach``, if_lagg.c); a destroyed lagg
    gives its ports back with their own MACs (``lagg_clone_destroy``).
    """
    iface = sim.state.interfaces.get(name)
    if iface is None:
        return
    if iface.lagg is not None:
        delport(sim, iface.lagg, name, detaching=True)
    if iface.kind == "lagg":
        for port in list(iface.ports):
            delport(sim, name, port)
    for addr in iface.inet:
        _addr_event(sim, name, "ADDR_DEL", addr.addr)
    del sim.state.interfaces[name]
    sim.emit(journal.ifnet(name, "DETACH"))
    sim.note(f"{name} destroyed")


def _addr_event(sim: Sim, name: str, type_: str, addr: str) -> None:
    # rt_addrmsg (freebsd-src sys/net/route.c) in the current tree; not
    # emitted for the 11.x release the simulator can also play.
    if _release_major(sim.state) >= 14:
        sim.emit(journal.ifnet(name, type_, f"address={addr}"))


def _release_major(state: SimState) -> int:
    head = state.release.split(".", 1)[0]
    return int(head) if head.isdigit() else 15


def add_inet(sim: Sim, name: str, addr: str, prefixlen: int) -> None:
    iface = sim.state.interfaces[name]
    iface.inet.append(Inet(addr, prefixlen))
    _addr_event(sim, name, "ADDR_ADD", addr)
    sim.note(f"{name} inet {addr}/{prefixlen}")


def del_inet(sim: Sim, name: str, addr: str) -> None:
    iface = sim.state.interfaces[name]
    iface.inet = [a for a in iface.inet if a.addr != addr]
    _addr_event(sim, name, "ADDR_DEL", addr)
    sim.note(f"{name} -inet {addr}")


def set_up(sim: Sim, name: str, up: bool) -> None:
    """``ifconfig IF up|down``.

    A lagg marked up that is not running runs ``lagg_init``, which gives every
    port whose MAC differs the lagg's (sys/net/if_lagg.c ``lagg_init``: it
    returns at once when IFF_DRV_RUNNING is set, so only the transition to
    running re-programs ports); marked down it runs ``lagg_stop``.
    """
    iface = sim.state.interfaces[name]
    if iface.up == up:
        return
    iface.up = up
    sim.note(f"{name} {'up' if up else 'down'}")
    if up and iface.kind == "lagg":
        _lagg_init(sim, iface)
    if up:
        from laggroam_sim import nd6  # in6_if_up (sys/netinet6/in6.c); here: nd6 costs ipaddress

        nd6.if_up(sim, iface)


def _lagg_init(sim: Sim, lagg: Iface) -> None:
    # lagg_init (sys/net/if_lagg.c): memcmp each port's lladdr with the
    # lagg's and if_setlladdr the ones that differ
    for port in list(lagg.ports):
        if sim.state.interfaces[port].mac != lagg.mac:
            set_lladdr(sim, port, lagg.mac)


def set_lladdr(sim: Sim, name: str, mac: str) -> None:
    """``if_setlladdr`` (sys/net/if.c): every set re-initialises an UP interface.

    There is no equality check: the address is copied and, when IFF_UP is
    set, IFF_UP is cleared and set again through SIOCSIFFLAGS "to reprogram
    its address filter" -- also when the address did not change.
    """
    iface = sim.state.interfaces[name]
    if iface.mac != mac:
        sim.note(f"{name} ether {mac}")
    iface.mac = mac
    if iface.up:
        reinit(sim, iface)


def reinit(sim: Sim, iface: Iface) -> None:
    """The IFF_UP bounce of ``if_setlladdr`` and what it costs each kind of interface.

    * a wlan vap (or ndis0): ``ieee80211_ioctl`` SIOCSIFFLAGS stops the vap
      and starts it again (sys/net80211/ieee80211_ioctl.c, ``ieee80211_stop_locked``
      / ``ieee80211_start_locked``), so the station leaves its BSS -- LINK_DOWN
      from ``ieee80211_notify_node_leave`` (ieee80211_freebsd.c) -- and
      wpa_supplicant must associate again (LINK_UP when it does; it cannot
      while the access point is out of range);
    * a lagg: ``lagg_ioctl`` SIOCSIFFLAGS runs ``lagg_stop`` then ``lagg_init``
      (sys/net/if_lagg.c), which re-programs the ports whose MAC differs;
    * a wired NIC: the driver re-inits; no link change is modelled (a guess:
      whether em(4)/iflib renegotiates the link on re-init was not read).
    """
    state = sim.state
    state.reinits[iface.name] = state.reinits.get(iface.name, 0) + 1
    sim.note(f"{iface.name} re-initialised (IFF_UP bounced by the MAC set)")
    if iface.kind == "wlan":
        if iface.bssid is not None:
            iface.bssid = None
            sim.note(f"{iface.name} disassociated by the re-initialisation")
            state.reassociations[iface.name] = state.reassociations.get(iface.name, 0) + 1
            # a re-association takes time: scan, authenticate, 4-way handshake
            state.now += REASSOCIATION_SECONDS
        if iface.link:
            iface.link = False
            sim.emit(journal.ifnet(iface.name, "LINK_DOWN"))
            sim.note(f"{iface.name} link down")
    elif iface.kind == "lagg":
        _lagg_init(sim, iface)


def addport(sim: Sim, lagg_name: str, port_name: str) -> str | None:
    """SIOCSLAGGPORT; returns an errno name or None (if_lagg.c ``lagg_port_create``)."""
    lagg = sim.state.interfaces.get(lagg_name)
    port = sim.state.interfaces.get(port_name)
    if lagg is None or lagg.kind != "lagg" or port is None or port is lagg:
        return "EINVAL"
    if port.lagg == lagg_name:
        return "EEXIST"
    if port.lagg is not None:
        return "EBUSY"
    if port.kind not in ("ether", "wlan"):
        return "EPROTONOSUPPORT"
    if len(lagg.ports) >= LAGG_MAX_PORTS:
        return "ENOSPC"
    from laggroam_sim import nd6

    nd6.strip_member(sim, port)
    # lp_lladdr: the MAC the port had when it joined (lagg_port_create)
    port.saved_mac = port.mac
    port.lagg = lagg_name
    if not lagg.ports:
        # the first port gives the lagg its MAC; nothing is re-initialised
        lagg.mac = port.mac
        lagg.primary = port_name
        lagg.mtu = port.mtu
    else:
        # every later port: if_setlladdr(port, lagg MAC), unconditionally
        port.mtu = lagg.mtu
        set_lladdr(sim, port_name, lagg.mac)
    if _release_major(sim.state) < 11:
        # the 7-era lagg_port_create: SLIST_INSERT_HEAD, the newest port first
        # (the seed capture lists nfe0 before its primary ndis0)
        lagg.ports.insert(0, port_name)
    else:
        # "Keep ports sorted by if_index" (lagg_port_create)
        lagg.ports.append(port_name)
        lagg.ports.sort(key=lambda p: sim.state.interfaces[p].index)
    sim.note(f"{lagg_name} laggport {port_name}")
    return None


def delport(sim: Sim, lagg_name: str, port_name: str, *, detaching: bool = False) -> str | None:
    """SIOCSLAGGDELPORT or a member's departure (if_lagg.c ``lagg_port_destroy``).

    When the primary leaves, the first remaining port becomes primary, the
    lagg takes that port's ``lp_lladdr`` (the MAC it had when it joined) and
    every remaining port is given it with ``if_setlladdr`` -- the new primary
    too, each a re-initialisation; then the leaving port gets its own
    ``lp_lladdr`` back, unless it is being destroyed.
    """
    lagg = sim.state.interfaces.get(lagg_name)
    port = sim.state.interfaces.get(port_name)
    if lagg is None or port is None:
        return "EINVAL"
    if port.lagg != lagg_name:
        return "ENOENT"
    lagg.ports.remove(port_name)
    if lagg.primary == port_name:
        new = lagg.ports[0] if lagg.ports else None
        lagg.primary = new
        lladdr = ZERO_MAC
        if new is not None:
            lladdr = sim.state.interfaces[new].saved_mac or ZERO_MAC
        lagg.mac = lladdr
        for other in lagg.ports:
            set_lladdr(sim, other, lladdr)
        sim.note(f"{lagg_name} primary is now {new or 'none'}")
    saved = port.saved_mac
    port.lagg = None
    port.saved_mac = None
    if not detaching and saved is not None:
        set_lladdr(sim, port_name, saved)
    sim.note(f"{lagg_name} -laggport {port_name}")
    return None


def lagg_caps(state: SimState, lagg: Iface) -> int:
    """The capabilities every port has (if_lagg.c ``lagg_capabilities``); 0 without ports."""
    caps = 0
    for i, port in enumerate(lagg.ports):
        port_caps = state.interfaces[port].caps
        caps = port_caps if i == 0 else caps & port_caps
    return caps


def port_flags(state: SimState, lagg: Iface, port: str) -> int:
    """The flags ``laggport:`` shows (if_lagg.c ``lagg_port2req``)."""
    iface = state.interfaces[port]
    flags = 0
    if lagg.proto == "failover":
        if port == lagg.primary:
            flags |= PORT_MASTER
        if port == active_port(state, lagg):
            flags |= PORT_ACTIVE
    elif lagg.proto in ("roundrobin", "loadbalance", "broadcast"):
        if port_active(iface):
            flags |= PORT_ACTIVE
    elif lagg.proto == "lacp":
        segment = state.segments.get(iface.cable or "")
        if port_active(iface) and segment is not None and segment.lacp_partner:
            flags |= PORT_ACTIVE | PORT_COLLECTING | PORT_DISTRIBUTING
    return flags


def flag_names(value: int, bits: tuple[tuple[int, str], ...]) -> str:
    """``printb``-style ``HEX<NAMES>`` (sbin/ifconfig)."""
    names = ",".join(name for bit, name in bits if value & bit)
    return f"{value:x}<{names}>"


def wants_link(state: SimState, iface: Iface) -> bool:
    """The link state the hardware would report now."""
    if state.suspended:
        return iface.kind == "loop"
    if iface.kind == "loop":
        return True
    if iface.kind == "ether":
        return iface.up and iface.cable is not None and iface.cable in state.segments
    if iface.kind == "wlan":
        return iface.up and iface.bssid is not None
    # lagg_linkstate (if_lagg.c): any port with link state UP
    return any(state.interfaces[p].link for p in iface.ports)


def settle_links(sim: Sim) -> bool:
    """Apply link changes, members before laggs; True when anything changed.

    Each change is ``if_link_state_change`` -> devd LINK_UP/LINK_DOWN
    (sys/net/if.c ``do_link_state_change``).
    """
    changed = False
    for kinds in (("loop", "ether", "wlan"), ("lagg",)):
        for iface in ordered(sim.state):
            if iface.kind not in kinds:
                continue
            want = wants_link(sim.state, iface)
            if want != iface.link:
                iface.link = want
                if iface.kind == "lagg":
                    _account_lagg_link(sim.state, iface.name, want)
                sim.emit(journal.ifnet(iface.name, "LINK_UP" if want else "LINK_DOWN"))
                sim.note(f"{iface.name} link {'up' if want else 'down'}")
                changed = True
    return changed


def clock_ms(state: SimState) -> int:
    """A millisecond clock for outage windows: the simulated seconds plus
    PROGRAM_MS for every state-changing program run (a guess at what one
    ifconfig or service run costs on FreeBSD; nothing was measured there)."""
    return state.now * 1000 + len(state.write_calls) * PROGRAM_MS


def _account_lagg_link(state: SimState, name: str, up: bool) -> None:
    """Count a lagg's link losses and the simulated ms it spends without link."""
    now = clock_ms(state)
    if not up:
        state.link_losses[name] = state.link_losses.get(name, 0) + 1
        state.link_down_since[name] = now
    elif name in state.link_down_since:
        since = state.link_down_since.pop(name)
        state.link_down_ms[name] = state.link_down_ms.get(name, 0) + now - since


def attach_radio_ifnet(sim: Sim, radio: Radio) -> Iface:
    """ndis(4) of the FreeBSD 7 era: the driver attaches its own 802.11 ifnet
    (ndis0, no vap; sys/dev/if_ndis/if_ndis.c ``ndis_attach`` calls
    ``ieee80211_ifattach`` on the driver's ifnet)."""
    iface = Iface(
        name=radio.name, index=sim.alloc_index(), kind="wlan", mac=radio.mac, hwaddr=radio.mac,
        device=radio.name,
    )  # fmt: skip
    _attach_ifnet(sim, iface)
    return iface


def radio_of(state: SimState, iface: Iface) -> Radio | None:
    """The radio under a wlan vap, or the device that is the 802.11 ifnet itself."""
    return state.radios.get(iface.parent or iface.device or "")


def detach_radio(sim: Sim, name: str) -> None:
    """The radio's driver detaches: its vaps are destroyed, then ``-iwn0 ...``."""
    radio = sim.state.radios[name]
    if not radio.attached:
        return
    for iface in ordered(sim.state):
        if iface.kind == "wlan" and name in (iface.parent, iface.device):
            destroy(sim, iface.name)
    radio.attached = False
    radio.silent = False
    sim.emit(journal.detach(name, radio.location, radio.pnpinfo, radio.bus))
    sim.note(f"{name} detached")


def attach_radio(sim: Sim, name: str) -> None:
    """The radio's driver attaches: ``+iwn0 at ... on pci2``."""
    radio = sim.state.radios[name]
    if radio.attached:
        return
    radio.attached = True
    sim.emit(journal.attach(name, radio.location, radio.pnpinfo, radio.bus))
    sim.note(f"{name} attached")
    if radio.own_ifnet:
        attach_radio_ifnet(sim, radio)
