"""IPv6 follows the laptop: dual-stack roams end to end on the simulated laptop.

The laptop's lagg0 accepts router advertisements (``--dual-stack``:
``ifconfig_lagg0_ipv6="inet6 accept_rtadv"``); home and cafe each route
their own prefix.  lagg0 keeps its link through a failover, so only laggroam
asks the new network's router; a failover on the same network must not.
"""

import ipaddress

from laggroam_sim import laptop as sim_laptop
from laggroam_sim.state import read_only
from laptophelp import FIGURES, Laptop, on
from test_roaming_scenarios import CAFE, HOME, policy

HOME6 = ipaddress.ip_network(sim_laptop.HOME_V6[0])
CAFE6 = ipaddress.ip_network(sim_laptop.CAFE_V6[0])


def ipv6(laptop: Laptop) -> tuple[set[ipaddress.IPv6Network], set[str], int]:
    """lagg0's usable global networks, its default routers, the simulated clock."""
    state = read_only(laptop.dir)
    lagg = state.interfaces["lagg0"]
    nets = {
        ipaddress.ip_interface(f"{a.addr}/{a.prefixlen}").network
        for a in lagg.inet6
        if not a.addr.startswith("fe80:") and "deprecated" not in a.flags
    }
    return nets, {r.addr for r in lagg.defrouters}, state.now


def solicitations(laptop: Laptop) -> int:
    return read_only(laptop.dir).solicitations.get("lagg0", 0)


HOME_ROUTER = f"{sim_laptop.HOME_V6[1]}%lagg0"
CAFE_ROUTER = f"{sim_laptop.CAFE_V6[1]}%lagg0"


def at_the_desk(laptop: Laptop, policy_text: str) -> None:
    """Wired to home; the Wi-Fi associated with the cafe's network next door."""
    laptop.start(policy_text, init=("--dual-stack",))
    laptop.settle(on("em0"))
    nets, routers, _ = ipv6(laptop)
    assert nets == {HOME6} and routers == {HOME_ROUTER}
    laptop.world("ap", "home", "off")
    laptop.world("ap", "cafe", "on")
    laptop.settle(on("em0"))


def test_dual_stack_roam_to_the_cafe_and_back(laptop: Laptop) -> None:
    at_the_desk(laptop, policy())
    home_addr = {a.addr for a in read_only(laptop.dir).interfaces["lagg0"].inet6}
    _, _, before = ipv6(laptop)
    laptop.world("unplug", "em0")
    laptop.settle(lambda h: on("wlan0")(h) and (laptop.address() or "").startswith(CAFE))
    nets, routers, after = ipv6(laptop)
    # a cafe address, and nothing usable of home: no address, no router
    assert nets == {CAFE6}, nets
    assert routers == {CAFE_ROUTER}, routers
    laptop.world("plug", "em0")
    _, _, left = ipv6(laptop)
    laptop.settle(lambda h: on("em0")(h) and (laptop.address() or "").startswith(HOME))
    nets, routers, back = ipv6(laptop)
    assert nets == {HOME6} and routers == {HOME_ROUTER}
    # the stable interface identifier gives the home address back
    assert home_addr <= {a.addr for a in read_only(laptop.dir).interfaces["lagg0"].inet6}
    FIGURES.append(
        f"dual-stack roam: a working IPv6 address {after - before} s (simulated) after the"
        f" failover to the cafe, {back - left} s after the failback home"
    )


def test_without_laggroam_ipv6_the_old_network_lingers(laptop: Laptop) -> None:
    """renew_ipv6 = never is FreeBSD alone: rtsold does not see a failover."""
    text = policy().replace(
        "renew_dhcp = on-failover\n", "renew_dhcp = on-failover\nrenew_ipv6 = never\n"
    )
    at_the_desk(laptop, text + "\n")
    _, _, before = ipv6(laptop)
    laptop.world("unplug", "em0")
    laptop.settle(lambda h: on("wlan0")(h) and (laptop.address() or "").startswith(CAFE))
    nets, routers, _ = ipv6(laptop)
    assert nets == {HOME6} and routers == {HOME_ROUTER}
    router = read_only(laptop.dir).segments["cafe"].ipv6
    assert router is not None
    laptop.world("advance", str(router.next_ra - read_only(laptop.dir).now))
    nets, routers, after = ipv6(laptop)
    # the cafe prefix arrives with the router's next unsolicited advertisement;
    # home's address and router are still there, valid for weeks
    assert nets == {HOME6, CAFE6} and routers == {HOME_ROUTER, CAFE_ROUTER}
    FIGURES.append(
        f"renew_ipv6 = never: the cafe's prefix {after - before} s (simulated) after the"
        " failover, home's address still usable"
    )


def test_same_network_failover_changes_no_ipv6(laptop: Laptop) -> None:
    laptop.start(policy(), init=("--dual-stack",))
    laptop.settle(on("em0"))
    before = read_only(laptop.dir).interfaces["lagg0"].inet6
    sent = solicitations(laptop)
    laptop.world("unplug", "em0")
    laptop.settle(on("wlan0"))
    assert (laptop.address() or "").startswith(HOME)
    assert solicitations(laptop) == sent
    assert read_only(laptop.dir).interfaces["lagg0"].inet6 == before
    laptop.world("plug", "em0")
    laptop.settle(on("em0"))
    assert solicitations(laptop) == sent
    assert read_only(laptop.dir).interfaces["lagg0"].inet6 == before
