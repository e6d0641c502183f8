"""Helpers for the reliability suite: a simulated laptop whose programs can be made to misbehave.

``Host`` runs the product's own ``System`` and ``reconcile`` against the
simulator's stand-ins in this process (as tests/simrun.py does), through a
runner wrapper that lets a test make any command fail, hang past its timeout,
vanish, print garbage, or change the world in the middle of a plan.
"""

import contextlib
import io
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from laggroam_sim import daemons, devd, engine, standin
from laggroam_sim.cli import main as sim_main
from laggroam_sim.site import site_of
from laggroam_sim.state import Sim, read_only
from writes import Writes

from laggroam.config import policy
from laggroam.core.event import Event
from laggroam.edge.reconcile import Outcome, locked_reconcile, reconcile
from laggroam.edge.runner import Result, run
from laggroam.edge.store import Store
from laggroam.edge.system import System

REPO = Path(__file__).resolve().parents[2]
SAMPLE = policy.load(REPO / "conf" / "laggroam.ini.sample")
WIRELESS_MAC = "20:0d:b0:c4:ab:59"  # iwn0's, which the sample's ether = wlan0 gives lagg0
FUZZ_DEFAULT = 300
# A hook inspects (argv, timeout) before the stand-in runs; a Result replaces the run.
Hook = Callable[[tuple[str, ...], float], Result | None]


def fuzz_examples(default: int = FUZZ_DEFAULT) -> int:
    """Examples per fuzz test: a few hundred in ``make test``, more from ``make fuzz``."""
    raw = os.environ.get("LAGGROAM_FUZZ_EXAMPLES", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def sim(sim_dir: Path, *argv: str) -> None:
    """One ``laggroam-sim --dir DIR VERB`` in-process; it must succeed."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert sim_main(list(argv), sim_dir) == 0, argv


def boot(sim_dir: Path) -> None:
    """The handbook's laptop: em0 wears the wireless MAC, as the sample policy wants."""
    sim(sim_dir, "init", "laptop", "--rc", f"ifconfig_em0=ether {WIRELESS_MAC} up")


def prog(argv: Sequence[str]) -> tuple[str, ...]:
    """``(program name, args...)``: what a hook matches on."""
    return (Path(argv[0]).name, *argv[1:])


class Host:
    """One simulated laptop, its state directory, and a faulty runner."""

    def __init__(self, sim_dir: Path, pol: policy.Policy = SAMPLE) -> None:
        self.dir = sim_dir
        self.bin = str((sim_dir / "bin").resolve())
        self.policy = pol
        self.store = Store(sim_dir / "db")
        self.hooks: list[Hook] = []
        self.calls: list[tuple[str, ...]] = []
        self.clock = 1_000_000.0
        self.system = System(site_of(sim_dir).programs, timeout=1.0, runner=self.runner)
        self.writes = Writes(self.system)

    # -- the runner ----------------------------------------------------------

    def runner(self, argv: Sequence[str], timeout: float) -> Result:
        args = tuple(argv)
        self.calls.append(prog(args))
        for hook in list(self.hooks):
            result = hook(args, timeout)
            if result is not None:
                return result
        if str(Path(args[0]).parent) != self.bin:
            return run(args, timeout=timeout)
        started = time.monotonic()
        done = standin.execute(Path(args[0]).name, list(args[1:]), self.dir)
        return Result(args, done.status, done.out, done.err, None, time.monotonic() - started)

    def fault(self, hook: Hook) -> Hook:
        self.hooks.append(hook)
        return hook

    def clear(self) -> None:
        self.hooks.clear()

    # -- reconciling ---------------------------------------------------------

    def reconcile(self, events: Sequence[Event] = (), advance: float = 1.0) -> Outcome:
        self.clock += advance
        return reconcile(
            self.system,
            self.policy,
            self.store,
            events,
            clock=lambda: self.clock,
            verify_deadline=0.2,
        )

    def locked(self, events: Sequence[Event] = ()) -> Outcome | None:
        self.clock += 1.0
        return locked_reconcile(
            self.system, self.policy, self.store, events, clock=lambda: self.clock
        )

    def converge(self, rounds: int = 4, advance: float = 1.0) -> Outcome:
        """Reconcile until a reconcile has nothing to do; fail after ``rounds``."""
        outcome = self.reconcile(advance=advance)
        for _ in range(rounds):
            if outcome.converged and not outcome.done:
                return outcome
            outcome = self.reconcile(advance=advance)
        raise AssertionError(f"not converged: {outcome.record(None)}")

    # -- the simulated world --------------------------------------------------

    def sim(self, *argv: str) -> None:
        sim(self.dir, *argv)

    def with_sim(self, change: Callable[[Sim], None]) -> None:
        with Sim.open(self.dir) as s:
            change(s)
            engine.settle(s)

    def kill_dhclient(self, ifname: str) -> None:
        self.with_sim(lambda s: daemons.stop_dhclient(s, ifname, "exited"))

    def lagg(self) -> tuple[str | None, str | None, list[str]]:
        """lagg0's (active port, address, ports) in the simulated kernel."""
        state = read_only(self.dir)
        lagg = state.interfaces["lagg0"]
        active = None
        for name in [lagg.primary, *lagg.ports]:
            iface = state.interfaces.get(name or "")
            if iface is not None and iface.up and iface.link:
                active = name
                break
        return active, (lagg.inet[0].addr if lagg.inet else None), list(lagg.ports)

    def healthy(self) -> None:
        """Nothing lost: lagg0 whole and addressed, state readable, journal whole, no litter."""
        active, addr, ports = self.lagg()
        assert ports == ["em0", "wlan0"], ports
        assert active is not None and addr is not None, (active, addr)
        state = json.loads((self.store.dir / "state.json").read_text())
        assert state["version"] == 1
        for line in (self.store.dir / "journal.jsonl").read_text().splitlines():
            assert isinstance(json.loads(line), dict)
        litter = [p.name for p in self.store.dir.iterdir() if p.name.endswith(".tmp")]
        assert litter == [], litter


def new_host(template: Path, target: Path, pol: policy.Policy = SAMPLE) -> Host:
    shutil.copytree(template, target)
    devd.install(target)  # devd.conf names the simulated /'s scripts by absolute path
    return Host(target, pol)


def failing(name: str, *args: str, code: int = 1, message: str = "injected failure") -> Hook:
    """A hook: ``name args...`` (a prefix of the argv) exits ``code``."""

    def hook(argv: tuple[str, ...], _timeout: float) -> Result | None:
        if prog(argv)[: 1 + len(args)] == (name, *args):
            return Result(argv, code, "", f"{name}: {message}\n")
        return None

    return hook
