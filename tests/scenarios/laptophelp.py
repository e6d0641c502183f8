"""The simulated laptop of the scenarios: laggroam installed as a user installs it.

Every scenario goes the whole way: a world change in the simulator, the
kernel's devd events, the simulated devd choosing laggroam's rule, the real
hook, the daemon (or the one-shot fallback), and the host converging.
"""

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from laggroam_sim import journal
from laggroam_sim.state import read_only
from laggroam_sim.story import Story

from laggroam.core.host import Host
from laggroam.edge.reconcile import reconcile

# A deadline, not a delay: generous so that a loaded 2-core machine still passes.
WAIT = 60.0
# "Left running for ten simulated minutes": reconciles every half minute.
QUIET_SECONDS = 600
QUIET_STEP = 30
# Scenario figures, printed at the end of the session with LAGGROAM_STATS=1.
FIGURES: list[str] = []
# LAGGROAM_ACTIONS=FILE appends each converge's actions to FILE, one JSON line
# per converge: two runs' files compared show whether a change of laggroam
# changed what any scenario does.
ACTIONS = os.environ.get("LAGGROAM_ACTIONS", "")


def _record_actions(path: str, commands: list[str]) -> None:
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps({"test": test, "actions": commands}) + "\n")


@dataclass
class Figures:
    """What laggroam did while the host converged after each world change."""

    converges: int = 0
    actions: int = 0
    reinits: int = 0
    reassociations: int = 0
    wpa_restarts: int = 0
    # lagg0 given another address of the same network (no network change)
    readdressed: int = 0

    def line(self, name: str) -> str:
        per = max(self.converges, 1)
        return (
            f"{name}: {self.converges} converges, {self.actions} actions"
            f" ({self.actions / per:.2f} per converge), {self.reinits} interface"
            f" re-initialisations ({self.reinits / per:.2f} per converge,"
            f" {self.reassociations} Wi-Fi re-associations), {self.wpa_restarts}"
            f" wpa_supplicant restarts, {self.readdressed} same-network address changes"
        )


# The headline over every scenario run: same-network address changes of
# lagg0 (must be 0) and Wi-Fi re-associations laggroam's actions caused.
HEADLINE = {"scenarios": 0, "readdressed": 0, "provoked": 0, "reassociations": 0}


def radio_policy(parent: str) -> str:
    """The sample's seed laptop on radio ``parent``, with the demo's short timers."""
    return (
        "[daemon]\ndebounce = 100ms\nmax_delay = 1s\nlog = stderr\ninterval = 0\n"
        "[lagg0]\nports = em0 wlan0\nproto = failover\nether = wlan0\ndhcp = yes\n"
        f"renew_dhcp = on-failover\n\n[wlan0]\nparent = {parent}\nwpa = yes\n"
        "restart_wpa = on-attach on-resume on-stuck\nstuck_after = 2s\n"
    )


class Laptop(Story):
    """``Story`` with test conveniences; ``lines`` holds what it said."""

    lines: list[str]
    figures: Figures
    _mark: tuple[int, int, int, int]
    # same-network address changes a scenario provokes on purpose
    readdress_expected = 0

    def install(self, policy_text: str | None = None, *, daemon: bool = True) -> None:
        """Count from the booted laptop: installing laggroam is the first converge."""
        self.begin()
        super().install(policy_text, daemon=daemon)

    def begin(self) -> None:
        """Count from here: the laptop is built and laggroam installed."""
        self.figures = Figures()
        self._mark = self._counters()

    def _counters(self) -> tuple[int, int, int, int]:
        state = read_only(self.dir)
        return (
            len(self.records()) if self.policy_path.exists() else 0,
            sum(state.reinits.values()),
            sum(state.reassociations.values()),
            state.readdressed.get("lagg0", 0),
        )

    def _count(self) -> None:
        if not hasattr(self, "_mark"):
            self.begin()
        records, reinits, reassoc, readdressed = self._counters()
        actions = [a for r in self.records()[self._mark[0] :] for a in r.get("actions", [])]
        self.figures.converges += 1
        if ACTIONS:
            _record_actions(ACTIONS, [str(a.get("command", "")) for a in actions])
        self.figures.actions += len(actions)
        self.figures.wpa_restarts += sum(
            1 for a in actions if "wpa_supplicant stop" in str(a.get("command", ""))
        )
        self.figures.reinits += reinits - self._mark[1]
        self.figures.reassociations += reassoc - self._mark[2]
        self.figures.readdressed += readdressed - self._mark[3]
        self._mark = (records, reinits, reassoc, readdressed)

    def quiet_for_ten_minutes(self) -> list[str]:
        """The daemon's reconciles over ten simulated minutes from now: what they did.

        The daemon is stopped and the product's own reconcile runs every
        QUIET_STEP seconds of a simulated clock, with the devd events raised
        since (each action's link events feed the next one); a host without a
        self-feeding loop sees none done.
        """
        self.stop()
        store = self.store
        seq = journal.last_seq(self.dir)
        start = time.time()
        done: list[str] = []
        for step in range(QUIET_STEP, QUIET_SECONDS + 1, QUIET_STEP):
            events, seq = journal.laggroam_events(self.dir, seq)
            with store.lock(wait=30) as got:
                assert got, "the reconcile lock stayed busy"
                outcome = reconcile(
                    self.system, self.policy, store, events, clock=lambda s=step: start + s,
                    verify_deadline=0.0,
                )  # fmt: skip
            done += [f"+{step}s {d.action.command()}" for d in outcome.done]
        return done

    def wait(self, what: str, probe: Callable[[], object], timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while not probe():
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            time.sleep(0.1)

    def settle(self, expect: Callable[[Host], object] = lambda h: True) -> Host:
        """Wait until nothing is pending anywhere and ``expect`` holds; return the host."""
        self.wait("convergence", self.converged)
        self.wait("the expected state", lambda: self.converged() and expect(self.observe()))
        self._count()
        return self.observe()

    def world(self, *argv: str) -> None:
        self.sim(*argv)

    def sleep(self) -> None:
        """Suspend, let every reaction to it finish, resume.

        A real sleep outlasts devd's, the daemon's and rc's reactions to the
        suspend.  A resume straight after it makes the actions a race between
        the simulated world and laggroam's processes: which reconcile sees
        wlan0 missing, before or after rc re-created it.
        """
        self.world("suspend")
        self.settle()
        self.world("resume")

    def lagg(self, host: Host | None = None) -> tuple[tuple[str, ...], str | None, str | None]:
        host = host or self.observe()
        lagg = host.get("lagg0")
        assert lagg is not None and lagg.lagg is not None
        return lagg.lagg.port_names, lagg.lagg.primary, lagg.lagg.active

    def address(self) -> str | None:
        lagg = read_only(self.dir).interfaces.get("lagg0")
        return f"{lagg.inet[0].addr}/{lagg.inet[0].prefixlen}" if lagg and lagg.inet else None

    def stock_calls(self, prog: str, *argv: str) -> int:
        """How often a stand-in ran with exactly this argv (stock rules included)."""
        return sum(
            1 for c in read_only(self.dir).write_calls if c.prog == prog and c.argv == list(argv)
        )

    def records(self) -> list[dict[str, object]]:
        return self.store.read_journal(last=1000)


def on(
    port: str | None, ports: tuple[str, ...] = ("em0", "wlan0"), lagg: str = "lagg0"
) -> Callable[[Host], bool]:
    """lagg has exactly ``ports``, the first one primary, and traffic on ``port``."""

    def check(host: Host) -> bool:
        iface = host.get(lagg)
        return (
            iface is not None
            and iface.lagg is not None
            and set(iface.lagg.port_names) == set(ports)
            and iface.lagg.primary == ports[0]
            and iface.lagg.active == port
        )

    return check
