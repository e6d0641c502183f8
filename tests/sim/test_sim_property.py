"""Property tests: random world and kernel operations keep lagg(4)'s invariants,
and the stand-in ifconfig always parses back to exactly the simulated state."""

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from laggroam_sim import cli, daemons, engine, kernel, laptop, rc, world
from laggroam_sim.state import Sim
from simhelp import boot_laptop, check_lagg_invariants, check_roundtrip, ifconfig_run

PORT_CANDIDATES = ("em0", "wlan0", "ue0", "lo0", "lagg0", "nope0")
MACS = ("02:00:00:00:00:01", "02:00:00:00:00:02", "b8:8a:60:de:c4:1b")


class LaptopMachine(RuleBasedStateMachine):
    """Drives the seed's laptop through world, kernel and daemon operations."""

    sim: Sim
    # ports each lagg had after the previous step, and MACs ports had before joining
    ports_before: dict[str, list[str]]
    mac_before_join: dict[str, str]

    @initialize(
        release=st.sampled_from(["15.0", "14.0", "13.0", "12.0", "11.0"]), late=st.booleans()
    )
    def boot(self, release: str, late: bool) -> None:
        self.sim = boot_laptop(release, ("iwn0",) if late else ())
        self.ports_before = self._ports()
        self.explicit_add: str | None = None
        self._boot_members()

    def _boot_members(self) -> None:
        # rc.conf sets no MAC, so boot-time members joined wearing their own
        state = self.sim.state
        self.mac_before_join = {
            p: state.interfaces[p].hwaddr for p in state.interfaces["lagg0"].ports
        }

    def _ports(self) -> dict[str, list[str]]:
        return {n: list(i.ports) for n, i in self.sim.state.interfaces.items() if i.kind == "lagg"}

    def _settle(self) -> None:
        engine.settle(self.sim)

    @rule(segment=st.sampled_from(["home", "cafe"]))
    def plug(self, segment: str) -> None:
        world.plug(self.sim, "em0", segment)
        self._settle()

    @rule()
    def unplug(self) -> None:
        world.unplug(self.sim, "em0")
        self._settle()

    @rule(ap=st.sampled_from(["home", "cafe"]), on=st.booleans())
    def access_point(self, ap: str, on: bool) -> None:
        world.set_ap(self.sim, ap, on)
        self._settle()

    @rule(ap=st.sampled_from(["home", "cafe"]))
    def roam(self, ap: str) -> None:
        world.roam(self.sim, ap)
        self._settle()

    @rule()
    def suspend_resume(self) -> None:
        cli.suspend(self.sim)
        self._settle()
        cli.resume(self.sim)
        self._settle()

    @rule(attach=st.booleans())
    def radio(self, attach: bool) -> None:
        if attach:
            kernel.attach_radio(self.sim, "iwn0")
        else:
            kernel.detach_radio(self.sim, "iwn0")
        self._settle()

    @rule(port=st.sampled_from(PORT_CANDIDATES))
    def laggport(self, port: str) -> None:
        iface = self.sim.state.interfaces.get(port)
        mac = iface.mac if iface is not None else None
        res = ifconfig_run(self.sim, "lagg0", "laggport", port)
        if res.status == 0 and mac is not None and port in self.sim.state.interfaces["lagg0"].ports:
            self.mac_before_join.setdefault(port, mac)
        self.explicit_add = port

    @rule(port=st.sampled_from(PORT_CANDIDATES))
    def unlaggport(self, port: str) -> None:
        was_member = port in self.sim.state.interfaces["lagg0"].ports
        res = ifconfig_run(self.sim, "lagg0", "-laggport", port)
        assert (res.status == 0) == was_member
        if was_member:
            # the port gets its own MAC back (lagg_port_destroy)
            assert self.sim.state.interfaces[port].mac == self.mac_before_join.pop(port)
        else:
            assert res.err[0].startswith("ifconfig: SIOCSLAGGDELPORT: ")

    @rule(name=st.sampled_from(["em0", "wlan0", "ue0", "lagg0"]), up=st.booleans())
    def updown(self, name: str, up: bool) -> None:
        ifconfig_run(self.sim, name, "up" if up else "down")

    @rule(mac=st.sampled_from(MACS))
    def ether_on_free_nic(self, mac: str) -> None:
        em0 = self.sim.state.interfaces["em0"]
        if em0.lagg is None:
            ifconfig_run(self.sim, "em0", "ether", mac)
            assert em0.mac == mac

    @rule()
    def destroy_wlan(self) -> None:
        ifconfig_run(self.sim, "wlan0", "destroy")
        self.mac_before_join.pop("wlan0", None)
        assert "wlan0" not in self.sim.state.interfaces

    @rule()
    def netif_start_wlan(self) -> None:
        rc.rc_script(self.sim, "netif", "quietstart", ["wlan0"])
        self._settle()

    @rule(plugged=st.booleans())
    def usb_dongle(self, plugged: bool) -> None:
        dev = self.sim.state.usb["axge0"]
        if plugged and not dev.attached:
            cli.VERBS["usb-ethernet"](self.sim, ["ue0"])
        elif not plugged and dev.attached:
            cli.VERBS["usb-ethernet"](self.sim, ["ue0", "unplug"])
            self.mac_before_join.pop("ue0", None)
        self._settle()

    @rule(what=st.sampled_from(["hang", "kill", "start"]))
    def wpa(self, what: str) -> None:
        if what == "hang":
            daemons.hang_wpa(self.sim, "wlan0")
        elif what == "kill":
            daemons.kill_wpa(self.sim, "wlan0")
        else:
            rc.rc_script(self.sim, "wpa_supplicant", "start", ["wlan0"])
        self._settle()

    @rule(proto=st.sampled_from(["failover", "lacp", "roundrobin"]))
    def laggproto(self, proto: str) -> None:
        ifconfig_run(self.sim, "lagg0", "laggproto", proto)

    @rule()
    def reboot(self) -> None:
        laptop.reboot(self.sim)
        self._boot_members()
        self.explicit_add = None
        self.ports_before = self._ports()

    @invariant()
    def lagg_semantics(self) -> None:
        if not hasattr(self, "sim"):
            return
        state = self.sim.state
        check_lagg_invariants(state)
        # ports only ever join through an explicit laggport: a destroyed and
        # re-created wlan0 never comes back on its own (lagg_port_ifdetach)
        now = self._ports()
        for lagg, ports in now.items():
            added = set(ports) - set(self.ports_before.get(lagg, []))
            assert added <= ({self.explicit_add} if self.explicit_add else set()), added
        self.ports_before = now
        self.explicit_add = None
        # daemons follow their interfaces (dhclient.c; rc.subr pidfiles)
        for name, client in state.dhclients.items():
            assert state.interfaces[name].up
            assert daemons.dhclient_pid(state, name) == client.pid
        # wpa_supplicant outlives its wlan and waits for it (driver_bsd.c)
        for name, sup in state.supplicants.items():
            assert sup.removed == (name not in state.interfaces)
            if sup.state == "COMPLETED":
                assert state.interfaces[name].bssid is not None

    @invariant()
    def ifconfig_parses_back(self) -> None:
        if hasattr(self, "sim"):
            check_roundtrip(self.sim.state)


LaptopMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=25, deadline=None)
TestLaptop = LaptopMachine.TestCase
