"""The seed's laptop, built and booted as its rc.conf would (reference 5.1).

em0 (wired, cabled to the ``home`` segment), iwn0 (an Intel radio; another
driver with ``radio=``, laggroam_sim.radios) with wlan0 cloned on it, lagg0
failover em0 + wlan0 with DHCP on lagg0; the
``home`` segment is reachable both by cable and through the ``home`` access
point (roam and keep the address), the ``cafe`` access point bridges to
another subnet (roam and need a new one); ue0 is a USB Ethernet dongle on
axge0, unplugged.

``radio="ndis"`` builds the laptop the recipe started from instead (the
seed capture fixtures/ifconfig/lagg-failover-ndis0-nfe0-seed-blog.txt):
wired nfe0 and an NDIS wireless ndis0 that is itself the 802.11 interface,
wpa_supplicant on ndis0, lagg0 failover with ndis0 first.
"""

from laggroam_sim import engine, journal, kernel, netif, radios, world
from laggroam_sim.model import Ipv6Router, SimState, UsbDevice
from laggroam_sim.state import Sim

RC_CONF = {
    "ifconfig_em0": "up",
    "wlans_iwn0": "wlan0",
    "create_args_wlan0": "country FR",
    "ifconfig_wlan0": "WPA",
    "cloned_interfaces": "lagg0",
    "ifconfig_lagg0": "up laggproto failover laggport em0 laggport wlan0 DHCP",
}
EM0_MAC = "b8:8a:60:de:c4:1b"
IWN0_MAC = "20:0d:b0:c4:ab:59"
UE0_MAC = "00:0e:c6:f0:5a:21"
CABLES = {"em0": "home"}
# Both networks also route IPv6 (documentation prefixes, RFC 3849); the laptop
# uses it with DUAL_STACK in rc.conf (``sim init laptop --dual-stack``).
HOME_V6 = ("2001:db8:1:1::/64", "fe80::1")
CAFE_V6 = ("2001:db8:ca:fe::/64", "fe80::2e0:4cff:fe68:a001")
DUAL_STACK = {"ifconfig_lagg0_ipv6": "inet6 accept_rtadv"}
# The seed's own laptop: the rc.conf of the recipe (the capture's page
# also ran DHCP on both members; laggroam keeps DHCP on lagg0 only).
SEED_RC_CONF = {
    "ifconfig_nfe0": "up",
    "ifconfig_ndis0": "WPA",
    "cloned_interfaces": "lagg0",
    "ifconfig_lagg0": "laggproto failover laggport ndis0 laggport nfe0 DHCP",
}
NDIS0_MAC = "00:1a:73:73:92:34"  # the seed capture's ndis0
NFE0_MAC = "00:1b:fc:5e:21:7a"


def wired_name(state: SimState) -> str:
    """The laptop's built-in wired NIC: nfe0 on the seed's, em0 on the others."""
    return "nfe0" if any(r.own_ifnet for r in state.radios.values()) else "em0"


def new_state(release: str, radio: str = "iwn", *, detach_on_suspend: bool = False) -> SimState:
    """The laptop's world and configuration, before the machine is powered on."""
    seed = radio == "ndis"
    rc_conf = dict(SEED_RC_CONF if seed else RC_CONF)
    device = radios.make_radio(
        radio, NDIS0_MAC if seed else IWN0_MAC, detach_on_suspend=detach_on_suspend
    )
    if not seed and device.name != "iwn0":
        del rc_conf["wlans_iwn0"]
        rc_conf[f"wlans_{device.name}"] = "wlan0"
    state = SimState(release=release, rc_conf=rc_conf, wpa_networks=["home", "cafe"])
    world.add_segment(state, "home", "192.168.1.0/24").ipv6 = Ipv6Router(*HOME_V6)
    world.add_segment(state, "cafe", "10.20.30.0/24").ipv6 = Ipv6Router(*CAFE_V6)
    world.add_ap(state, "home", "home", "32:20:9f:2e:f6:65", "home", channel=6)
    world.add_ap(state, "cafe", "cafe", "e4:60:4d:97:00:e8", "cafe", channel=36, in_range=False)
    state.radios[device.name] = device
    state.usb["axge0"] = UsbDevice(driver="axge0", ifname="ue0", mac=UE0_MAC)
    return state


def power_on(
    sim: Sim, *, late: tuple[str, ...] = (), cables: dict[str, str] | None = None
) -> list[str]:
    """Cold boot: drivers attach, /etc/rc runs netif, devd replays the queue.

    Radios named in ``late`` attach only after netif has configured lagg0
    (the boot race of reference 3.6).  Returns what rc printed on stderr.
    """
    state = sim.state
    kernel.attach_loopback(sim)
    wired = wired_name(state)
    nic = kernel.attach_ether(sim, wired, NFE0_MAC if wired == "nfe0" else EM0_MAC)
    if wired == "nfe0":
        nic.caps = 0x8  # options=8<VLAN_MTU>, as in the seed capture
    for name, segment in (cables if cables is not None else {wired: "home"}).items():
        if name in state.interfaces:
            state.interfaces[name].cable = segment
    for radio in state.radios.values():
        radio.attached = radio.name not in late
        if radio.attached:
            sim.emit(journal.attach(radio.name, radio.location, radio.pnpinfo, radio.bus))
            if radio.own_ifnet:
                kernel.attach_radio_ifnet(sim, radio)
    for dev in state.usb.values():
        if dev.attached:
            kernel.attach_ether(sim, dev.ifname, dev.mac, device=dev.driver)
    out = netif.boot(sim)
    sim.note(f"booted FreeBSD {state.release} as rc.conf says")
    for line in (out.out + out.err).splitlines():
        sim.note(f"rc: {line}")
    engine.settle(sim)
    for name in late:
        kernel.attach_radio(sim, name)
        engine.settle(sim)
    return out.err.splitlines()


def reboot(sim: Sim, *, late: tuple[str, ...] = ()) -> None:
    """Power-cycle: the world, rc.conf and DHCP servers' memory stay; the kernel starts over."""
    state = sim.state
    cables = {n: i.cable for n, i in state.interfaces.items() if i.cable is not None}
    state.interfaces.clear()
    state.processes.clear()
    state.pidfiles.clear()
    state.supplicants.clear()
    state.dhclients.clear()
    state.next_index = 1
    state.suspended = False
    sim.note("rebooted")
    for line in power_on(sim, late=late, cables=cables):
        sim.note(f"boot error: {line}")
