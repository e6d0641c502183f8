"""What a demo step expects of the host: where traffic runs, on which address, which wlan0.

Each check returns None when the host is as expected and otherwise the one
line that says what is not, which the step prints and fails on.
"""

import ipaddress
from collections.abc import Callable

from laggroam.core.host import Host
from laggroam_sim.state import read_only
from laggroam_sim.story import Story, address_of


def in_subnet(host: Host, subnet: str) -> bool:
    addr = address_of(host)
    return addr is not None and ipaddress.ip_interface(addr) in ipaddress.ip_network(subnet)


def traffic_on(port: str, subnet: str) -> Callable[[Host], str | None]:
    """lagg0 carries traffic on ``port`` with an address in ``subnet``."""

    def check(host: Host) -> str | None:
        lagg = host.get("lagg0")
        if lagg is None or lagg.lagg is None:
            return "lagg0 is missing"
        if lagg.lagg.active != port:
            return f"traffic is on {lagg.lagg.active}, not {port}"
        if not in_subnet(host, subnet):
            return f"address {address_of(host)} is not in {subnet}"
        return None

    return check


def expect_active(port: str, subnet: str, keep: str | None = None) -> Callable[[Host], str | None]:
    """As ``_traffic_on``, with both ports in lagg0, em0 primary, and the address ``keep``."""
    traffic = traffic_on(port, subnet)

    def check(host: Host) -> str | None:
        problem = traffic(host)
        if problem is not None:
            return problem
        lagg = host.get("lagg0")
        if lagg is None or lagg.lagg is None:
            return "lagg0 is missing"
        if lagg.lagg.primary != "em0":
            return f"primary is {lagg.lagg.primary}, not em0"
        if set(lagg.lagg.port_names) != {"em0", "wlan0"}:
            return f"lagg0 ports are {lagg.lagg.port_names}"
        if keep is not None and address_of(host) != keep:
            return f"address changed from {keep} to {address_of(host)}"
        return None

    return check


def all_of(*checks: Callable[[Host], str | None]) -> Callable[[Host], str | None]:
    def check(host: Host) -> str | None:
        return next((p for c in checks if (p := c(host)) is not None), None)

    return check


def same_wlan0(story: Story, index: int) -> Callable[[Host], str | None]:
    """wlan0 is the ifnet it was (iwn_suspend/iwn_resume, sys/dev/iwn/if_iwn.c)."""

    def check(host: Host) -> str | None:
        iface = read_only(story.dir).interfaces.get("wlan0")
        return None if iface is not None and iface.index == index else "wlan0 was re-created"

    return check


def new_wlan0(story: Story, index: int) -> Callable[[Host], str | None]:
    def check(host: Host) -> str | None:
        iface = read_only(story.dir).interfaces.get("wlan0")
        return None if iface is not None and iface.index != index else "wlan0 is the old one"

    return check
