"""lagg(4) semantics of the simulated kernel, one rule at a time (reference section 3)."""

from laggroam_sim import cli, engine, kernel, world
from laggroam_sim.laptop import EM0_MAC, IWN0_MAC, UE0_MAC
from laggroam_sim.model import ZERO_MAC, SimState
from laggroam_sim.state import Sim
from simhelp import NOWHERE, boot_laptop, check_lagg_invariants, ifconfig_run


def flags(sim: Sim, lagg: str = "lagg0") -> dict[str, str]:
    state = sim.state
    iface = state.interfaces[lagg]
    return {
        p: kernel.flag_names(kernel.port_flags(state, iface, p), kernel.PORT_BITS)
        for p in iface.ports
    }


def test_boot_builds_the_seed_laptop() -> None:
    sim = boot_laptop()
    lagg = sim.state.interfaces["lagg0"]
    assert lagg.ports == ["em0", "wlan0"]
    assert lagg.primary == "em0"
    # the lagg copies the first port's MAC and programs it onto the later ones
    assert lagg.mac == EM0_MAC
    assert sim.state.interfaces["wlan0"].mac == EM0_MAC
    assert sim.state.interfaces["wlan0"].hwaddr == IWN0_MAC
    assert flags(sim) == {"em0": "5<MASTER,ACTIVE>", "wlan0": "0<>"}
    assert [a.addr for a in lagg.inet] == ["192.168.1.101"]
    check_lagg_invariants(sim.state)


def test_failover_picks_the_next_port_with_link_and_fails_back_at_once() -> None:
    sim = boot_laptop()
    world.unplug(sim, "em0")
    engine.settle(sim)
    assert flags(sim) == {"em0": "1<MASTER>", "wlan0": "4<ACTIVE>"}
    assert sim.state.interfaces["lagg0"].link
    world.plug(sim, "em0", "home")
    engine.settle(sim)
    assert flags(sim) == {"em0": "5<MASTER,ACTIVE>", "wlan0": "0<>"}


def test_a_port_that_is_down_is_never_active_even_with_carrier() -> None:
    sim = boot_laptop()
    ifconfig_run(sim, "em0", "down")
    # em0 keeps its cable but loses IFF_UP: LAGG_PORTACTIVE is false
    assert flags(sim) == {"em0": "1<MASTER>", "wlan0": "4<ACTIVE>"}


def test_the_port_after_the_primary_wins_over_earlier_ones() -> None:
    # ports in if_index order em0, wlan0, ue0; make wlan0 the primary by
    # removing and re-adding em0: lagg_link_active prefers the port right
    # after the primary (ue0) over the first active port (em0)
    sim = boot_laptop()
    cli.VERBS["usb-ethernet"](sim, ["ue0"])
    engine.settle(sim)
    ifconfig_run(sim, "ue0", "up")
    assert ifconfig_run(sim, "lagg0", "-laggport", "em0").status == 0
    assert ifconfig_run(sim, "lagg0", "laggport", "ue0").status == 0
    assert ifconfig_run(sim, "lagg0", "laggport", "em0").status == 0
    lagg = sim.state.interfaces["lagg0"]
    assert lagg.ports == ["em0", "wlan0", "ue0"]
    assert lagg.primary == "wlan0"
    world.set_ap(sim, "home", False)
    engine.settle(sim)
    assert flags(sim) == {"em0": "0<>", "wlan0": "1<MASTER>", "ue0": "4<ACTIVE>"}
    check_lagg_invariants(sim.state)


def test_primary_leaving_hands_over_mac_and_restores_its_own() -> None:
    sim = boot_laptop()
    ifconfig_run(sim, "lagg0", "-laggport", "em0")
    lagg = sim.state.interfaces["lagg0"]
    assert lagg.primary == "wlan0"
    # lagg0 now wears wlan0's *original* MAC, and wlan0 gets it back too
    assert lagg.mac == IWN0_MAC
    assert sim.state.interfaces["wlan0"].mac == IWN0_MAC
    assert sim.state.interfaces["em0"].mac == EM0_MAC
    # re-adding em0 makes it a secondary wearing the lagg MAC
    ifconfig_run(sim, "lagg0", "laggport", "em0")
    assert lagg.ports == ["em0", "wlan0"]
    assert lagg.primary == "wlan0"
    assert sim.state.interfaces["em0"].mac == IWN0_MAC
    # and traffic stays on the new primary although em0 has its cable
    assert flags(sim) == {"em0": "0<>", "wlan0": "5<MASTER,ACTIVE>"}


def test_last_port_leaving_zeroes_the_lagg_mac() -> None:
    sim = boot_laptop()
    ifconfig_run(sim, "lagg0", "-laggport", "wlan0")
    ifconfig_run(sim, "lagg0", "-laggport", "em0")
    lagg = sim.state.interfaces["lagg0"]
    assert lagg.mac == ZERO_MAC
    assert lagg.primary is None
    assert not lagg.link


def test_a_destroyed_port_leaves_silently_and_is_not_re_added() -> None:
    sim = boot_laptop()
    n_events = len(sim.events)
    ifconfig_run(sim, "wlan0", "destroy")
    assert sim.state.interfaces["lagg0"].ports == ["em0"]
    assert "!system=IFNET subsystem=wlan0 type=DETACH" in sim.events[n_events:]
    ifconfig_run(sim, "wlan0", "create", "wlandev", "iwn0")
    assert "wlan0" in sim.state.interfaces
    assert sim.state.interfaces["lagg0"].ports == ["em0"]


def test_lagg_link_follows_any_port_with_link() -> None:
    sim = boot_laptop()
    start = len(sim.events)
    world.unplug(sim, "em0")
    engine.settle(sim)
    assert sim.events[start:] == ["!system=IFNET subsystem=em0 type=LINK_DOWN"]
    world.set_ap(sim, "home", False)
    engine.settle(sim)
    assert sim.events[-2:] == [
        "!system=IFNET subsystem=wlan0 type=LINK_DOWN",
        "!system=IFNET subsystem=lagg0 type=LINK_DOWN",
    ]


def test_addport_errors_are_the_kernels() -> None:
    sim = boot_laptop()
    assert kernel.addport(sim, "lagg0", "em0") == "EEXIST"
    assert kernel.addport(sim, "lagg0", "nope0") == "EINVAL"
    assert kernel.addport(sim, "lagg0", "lagg0") == "EINVAL"
    assert kernel.addport(sim, "lagg0", "lo0") == "EPROTONOSUPPORT"
    kernel.create_lagg(sim, "lagg1")
    assert kernel.addport(sim, "lagg1", "em0") == "EBUSY"
    assert kernel.delport(sim, "lagg1", "em0") == "ENOENT"


def test_lacp_ports_show_collecting_distributing_only_with_a_partner() -> None:
    state = SimState()
    world.add_segment(state, "sw", None)
    sim = Sim(NOWHERE, state)
    for name, mac in (("em0", EM0_MAC), ("em1", UE0_MAC)):
        kernel.attach_ether(sim, name, mac)
        world.plug(sim, name, "sw")
        ifconfig_run(sim, name, "up")
    ifconfig_run(sim, "lagg0", "create", "laggproto", "lacp", "laggport", "em0", "laggport", "em1")
    ifconfig_run(sim, "lagg0", "up")
    assert flags(sim) == {"em0": "0<>", "em1": "0<>"}
    state.segments["sw"].lacp_partner = True
    assert flags(sim) == {
        "em0": "1c<ACTIVE,COLLECTING,DISTRIBUTING>",
        "em1": "1c<ACTIVE,COLLECTING,DISTRIBUTING>",
    }


def _link_events(sim: Sim, after: int, name: str) -> list[str]:
    return [
        line.rsplit("type=", 1)[1]
        for line in sim.events[after:]
        if f"subsystem={name} type=LINK_" in line
    ]


def test_setting_the_mac_wlan0_already_wears_still_drops_its_association() -> None:
    # sys/net/if.c if_setlladdr has no equality check: IFF_UP is cleared and
    # set again, which restarts the vap; the old model skipped an equal MAC
    sim = boot_laptop()
    wlan0 = sim.state.interfaces["wlan0"]
    assert wlan0.link
    mark = len(sim.events)
    before = sim.state.reinits.get("wlan0", 0), sim.state.reassociations.get("wlan0", 0)
    assert ifconfig_run(sim, "wlan0", "ether", wlan0.mac).status == 0
    assert _link_events(sim, mark, "wlan0") == ["LINK_DOWN", "LINK_UP"]
    assert sim.state.reinits["wlan0"] == before[0] + 1
    assert sim.state.reassociations["wlan0"] == before[1] + 1


def test_every_laggport_that_touches_wlan0_costs_a_reassociation() -> None:
    sim = boot_laptop()
    mark = len(sim.events)
    before = sim.state.reassociations.get("wlan0", 0)
    ifconfig_run(sim, "lagg0", "-laggport", "wlan0")  # its lp_lladdr back
    ifconfig_run(sim, "lagg0", "laggport", "wlan0")  # the lagg's MAC
    assert _link_events(sim, mark, "wlan0") == ["LINK_DOWN", "LINK_UP"] * 2
    assert sim.state.reassociations["wlan0"] == before + 2


def test_a_reassociation_fails_while_the_access_point_is_out_of_range() -> None:
    sim = boot_laptop()
    world.set_ap(sim, "home", False)
    engine.settle(sim)
    world.set_ap(sim, "home", True)  # back, but the MAC set comes first
    sim.state.aps["home"].in_range = False
    mark = len(sim.events)
    ifconfig_run(sim, "wlan0", "ether", sim.state.interfaces["wlan0"].mac)
    assert _link_events(sim, mark, "wlan0") == []  # it had no association to lose
    assert not sim.state.interfaces["wlan0"].link


def test_a_down_lagg_programs_its_ports_only_when_it_starts_running() -> None:
    # lagg_init returns at once while IFF_DRV_RUNNING is set and re-programs
    # port MACs on the transition to running (sys/net/if_lagg.c); the old
    # model re-programmed the ports at once even while lagg0 was down
    sim = boot_laptop()
    ifconfig_run(sim, "lagg0", "down")
    ifconfig_run(sim, "lagg0", "ether", IWN0_MAC)
    assert sim.state.interfaces["em0"].mac == EM0_MAC
    assert sim.state.interfaces["wlan0"].mac == EM0_MAC
    ifconfig_run(sim, "lagg0", "up")
    assert sim.state.interfaces["em0"].mac == IWN0_MAC
    assert sim.state.interfaces["wlan0"].mac == IWN0_MAC


def test_a_running_lagg_whose_mac_is_set_bounces_and_programs_its_ports() -> None:
    sim = boot_laptop()
    mark = len(sim.events)
    ifconfig_run(sim, "lagg0", "ether", IWN0_MAC)
    assert sim.state.interfaces["wlan0"].mac == IWN0_MAC
    assert _link_events(sim, mark, "wlan0") == ["LINK_DOWN", "LINK_UP"]
    assert sim.state.reinits["lagg0"] == 1


def test_the_new_primary_takes_its_lp_lladdr_not_its_hwaddr() -> None:
    # lagg_port_destroy: bcopy(lp0->lp_lladdr, ...) -- the MAC the port had
    # when it joined; here em0 joined wearing the wireless MAC (handbook fix)
    sim = boot_laptop()
    ifconfig_run(sim, "lagg0", "-laggport", "em0")
    ifconfig_run(sim, "lagg0", "-laggport", "wlan0")
    ifconfig_run(sim, "em0", "ether", IWN0_MAC)
    ifconfig_run(sim, "lagg0", "laggport", "wlan0")
    ifconfig_run(sim, "lagg0", "laggport", "em0")
    assert sim.state.interfaces["lagg0"].primary == "wlan0"
    ifconfig_run(sim, "lagg0", "-laggport", "wlan0")
    assert sim.state.interfaces["lagg0"].mac == IWN0_MAC  # em0's lp_lladdr
    assert sim.state.interfaces["em0"].hwaddr == EM0_MAC
    check_lagg_invariants(sim.state)


def test_a_wlan_with_its_own_name_is_created_as_rc_does() -> None:
    """network.subr wlan_up: ``ifconfig wlan create wlandev PARENT name CHILD``."""
    from laggroam.core.ifname import wlan_create_args

    sim = boot_laptop()
    argv = wlan_create_args("wifi0", "iwn0")
    assert argv == ["wlan", "create", "wlandev", "iwn0", "name", "wifi0"]
    res = ifconfig_run(sim, *argv)
    assert (res.status, res.out) == (0, ["wifi0\n"])
    wifi = sim.state.interfaces["wifi0"]
    assert (wifi.kind, wifi.parent) == ("wlan", "iwn0")
    assert "wlan1" not in sim.state.interfaces
    # the name is taken now, and a lagg member cannot be renamed here
    assert ifconfig_run(sim, *argv).status != 0
    assert ifconfig_run(sim, "wlan0", "name", "wifi1").status != 0
    assert wlan_create_args("wlan3", "iwn0", ("country", "FR")) == [
        "wlan3", "create", "wlandev", "iwn0", "country", "FR",
    ]  # fmt: skip
