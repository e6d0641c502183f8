"""Hand-built hosts for planner tests: the seed laptop and its broken variants."""

from dataclasses import replace

from laggroam.core.host import Host, Interface, Lagg, LaggPort, Process, Supplicant

WLAN_MAC = "00:1a:73:73:92:34"
EM_MAC = "b8:8a:60:de:c4:1b"
UP = ("UP", "BROADCAST", "RUNNING", "SIMPLEX", "MULTICAST")


def em0(link: bool = True, up: bool = True, ether: str = WLAN_MAC) -> Interface:
    return Interface(
        "em0",
        flags=UP if up else ("BROADCAST", "SIMPLEX", "MULTICAST"),
        ether=ether,
        hwaddr=EM_MAC if ether != EM_MAC else None,
        media="Ethernet autoselect (1000baseT <full-duplex>)",
        status="active" if link else "no carrier",
    )


def wlan0(link: bool = True, up: bool = True, ether: str = WLAN_MAC) -> Interface:
    return Interface(
        "wlan0",
        flags=UP if up else ("BROADCAST", "SIMPLEX", "MULTICAST"),
        ether=ether,
        media="IEEE 802.11 Wireless Ethernet autoselect mode 11g",
        status="associated" if link else "no carrier",
        groups=("wlan",),
        ssid="home" if link else "",
        parent="iwn0",
    )


def lagg0(*ports: LaggPort, ether: str = WLAN_MAC, link: bool = True) -> Interface:
    return Interface(
        "lagg0",
        flags=UP,
        ether=ether,
        inet=("192.168.1.10/24",),
        media="Ethernet autoselect",
        status="active" if link else "no carrier",
        groups=("lagg",),
        lagg=Lagg("failover", ("l2", "l3", "l4"), ports),
    )


def port(name: str, *flags: str) -> LaggPort:
    return LaggPort(name, flags)


def laptop(**changes: object) -> Host:
    """The converged seed laptop: em0 primary and active, wlan0 standby, DHCP, WPA."""
    host = Host(
        interfaces=(
            em0(),
            wlan0(),
            lagg0(port("em0", "MASTER", "ACTIVE"), port("wlan0")),
        ),
        dhclient={
            "lagg0": Process(True, 812),
            "em0": Process(False),
            "wlan0": Process(False),
        },
        wpa={"wlan0": Supplicant(True, 640, "COMPLETED", "home", "00:11:22:33:44:55")},
        radios=("iwn0",),
    )
    return replace(host, **changes)  # type: ignore[arg-type]


def with_interfaces(host: Host, *interfaces: Interface) -> Host:
    return replace(host, interfaces=interfaces)
