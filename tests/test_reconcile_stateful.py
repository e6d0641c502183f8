"""Random roaming on the simulated laptop, one ``apply`` after each world change.

After every apply the policy's invariants hold on the simulated host, a second
apply plans and runs nothing (no stand-in write at all), no interface outside
the policy was touched, and lagg0 keeps its address whenever the network
behind it did not change.
"""

import contextlib
import io
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from laggroam_sim import journal
from laggroam_sim.cli import main as sim_main
from laggroam_sim.state import read_only
from paths import REPO
from simrun import in_process
from writes import Writes

from laggroam.config import policy
from laggroam.core.event import Event
from laggroam.edge.reconcile import reconcile
from laggroam.edge.store import Store

POLICY = policy.load(REPO / "conf" / "laggroam.ini.sample")
WIRELESS_MAC = "20:0d:b0:c4:ab:59"  # iwn0's: the sample's ether = wlan0
STATS = {"sequences": 0, "steps": 0, "actions": 0, "applies": 0}


def _quiet(argv: list[str], sim_dir: Path) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return sim_main(argv, sim_dir)


def _segment(sim_dir: Path) -> str | None:
    """The network behind lagg0's active port, from the simulator's world."""
    state = read_only(sim_dir)
    lagg = state.interfaces.get("lagg0")
    if lagg is None:
        return None
    for name in [lagg.primary, *lagg.ports]:
        iface = state.interfaces.get(name or "")
        if iface is None or not (iface.up and iface.link):
            continue
        if iface.cable is not None:
            return iface.cable
        sup = state.supplicants.get(name or "")
        if sup is not None and sup.ap is not None:
            return state.aps[sup.ap].segment
    return None


def _lagg_addr(sim_dir: Path) -> str | None:
    lagg = read_only(sim_dir).interfaces.get("lagg0")
    return lagg.inet[0].addr if lagg is not None and lagg.inet else None


class Roaming(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="laggroam-stateful-"))
        # The handbook's laptop: the wired port wears the wireless MAC, as the
        # sample policy's ether = wlan0 wants, so DHCP sees one client throughout.
        assert (
            _quiet(["init", "laptop", "--rc", f"ifconfig_em0=ether {WIRELESS_MAC} up"], self.dir)
            == 0
        )
        self.system = in_process(self.dir)
        self.writes = Writes(self.system)
        self.store = Store(self.dir / "db")
        self.seq = journal.last_seq(self.dir)
        self.clock = 1_000_000.0
        self.touched: list[list[str]] = []
        self.network: tuple[str | None, str | None] = (None, None)
        STATS["sequences"] += 1
        self.apply()

    def teardown(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        if os.environ.get("LAGGROAM_STATS"):
            print(f"stateful roaming so far: {STATS}")

    # -- the product ---------------------------------------------------------

    def events(self) -> list[Event]:
        out, self.seq = journal.laggroam_events(self.dir, self.seq)
        return out

    def apply(self) -> None:
        self.clock += 1
        writes_before = self.writes.count
        outcome = reconcile(
            self.system,
            POLICY,
            self.store,
            self.events(),
            clock=lambda: self.clock,
            verify_deadline=0.0,
        )
        STATS["applies"] += 1
        STATS["actions"] += len(outcome.done)
        assert outcome.observed, outcome.error
        assert not outcome.failed, [(d.action.command(), d.detail) for d in outcome.failed]
        assert outcome.converged, outcome.notes
        for done in outcome.done:
            self.touched.extend(done.action.argvs(self.system.programs))
        commands = sum(len(d.action.argvs(self.system.programs)) for d in outcome.done)
        assert self.writes.count - writes_before == commands

        # A second apply plans and runs nothing: not one stand-in write.
        calls_before = len(read_only(self.dir).write_calls)
        again = reconcile(
            self.system,
            POLICY,
            self.store,
            [],
            clock=lambda: self.clock,
            verify_deadline=0.0,
        )
        assert again.done == [], [d.action.command() for d in again.done]
        assert len(read_only(self.dir).write_calls) == calls_before

        # Same network behind lagg0 as after the previous apply: same address.
        segment, addr = _segment(self.dir), _lagg_addr(self.dir)
        if segment is not None and segment == self.network[0] and addr and self.network[1]:
            assert addr == self.network[1], (segment, self.network[1], addr)
        if segment is not None and addr:
            self.network = (segment, addr)

    # -- the world -------------------------------------------------------------

    def world(self, *argv: str) -> None:
        _quiet(list(argv), self.dir)
        STATS["steps"] += 1
        self.apply()

    @rule()
    def unplug(self) -> None:
        self.world("unplug", "em0")

    @rule()
    def plug(self) -> None:
        self.world("plug", "em0")

    @rule(state=st.sampled_from(["on", "off"]))
    def home_ap(self, state: str) -> None:
        self.world("ap", "home", state)

    @rule(ap=st.sampled_from(["cafe", "home"]))
    def roam(self, ap: str) -> None:
        self.world("roam", ap)

    @rule()
    def suspend_resume(self) -> None:
        _quiet(["suspend"], self.dir)
        self.world("resume")

    @rule()
    def radio_reload(self) -> None:
        _quiet(["detach", "iwn0"], self.dir)
        self.apply()
        self.world("attach", "iwn0")

    @rule()
    def late_radio(self) -> None:
        self.world("late-attach", "iwn0")

    @rule(verb=st.sampled_from(["hang", "kill"]))
    def supplicant_fails(self, verb: str) -> None:
        self.world("wpa", verb, "wlan0")

    @rule(seconds=st.sampled_from([5, 30, 120]))
    def time_passes(self, seconds: int) -> None:
        self.clock += seconds
        self.world("advance", str(seconds))

    @rule(plug=st.booleans())
    def usb_dongle(self, plug: bool) -> None:
        self.world("usb-ethernet", "ue0", *([] if plug else ["unplug"]))

    # -- what must always hold ---------------------------------------------------

    @invariant()
    def policy_holds(self) -> None:
        host = self.system.observe(dhcp_ifaces=["lagg0", "em0", "wlan0"], wpa_ifaces=["wlan0"])
        lagg0 = host.get("lagg0")
        assert lagg0 is not None and lagg0.lagg is not None
        assert lagg0.lagg.proto == "failover"
        assert lagg0.lagg.primary == "em0"
        radio_attached = host.radios is not None and "iwn0" in host.radios
        wlan0 = host.get("wlan0")
        assert (wlan0 is not None) == radio_attached
        expected = {"em0", "wlan0"} if wlan0 is not None else {"em0"}
        assert set(lagg0.lagg.port_names) == expected
        for name in ["lagg0", *expected]:
            iface = host.get(name)
            assert iface is not None and iface.is_up, name
            assert iface.ether == WIRELESS_MAC, (name, iface.ether)
        assert host.dhclient["lagg0"].running is True or not lagg0.has_link
        assert host.dhclient["em0"].running is False
        if wlan0 is not None:
            assert host.dhclient["wlan0"].running is False
            assert host.wpa["wlan0"].running is True

    @invariant()
    def nothing_outside_the_policy_touched(self) -> None:
        for argv in self.touched:
            assert not {"ue0", "lo0", "axge0"} & set(argv), argv


Roaming.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    # A failing sequence is printed as found: shrinking it takes minutes here.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
TestRoaming = Roaming.TestCase
