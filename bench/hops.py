"""The path of one event, devd line to the first executed action, counted with a profiler.

    .venv/bin/python bench/hops.py            # this checkout
    PYTHONPATH=OTHER .venv/bin/python bench/hops.py   # another tree of the package

A simulated laptop loses em0's cable and one LINK_DOWN line goes the two ways
an event takes: the daemon's (the hook's check, the socket message decoded,
the scheduler's batch, the worker's batch: chaining, then the reconcile) and
the one-shot's (``laggroam apply --coalesce --devd LINE``, in this process).
``sys.setprofile`` records every call between the line's arrival and the first
``System.execute``; the script reports the product's module boundaries crossed
(a call from one of laggroam's modules into another), the distinct modules on
the way, the parses of the line (devd's split, the hook rule's split, event
text), the observations of the host and the reads of devd.conf.  The socket
itself is not in the trace: a hook's write and the daemon's read and accept
are the same few calls either way.
"""

import contextlib
import io
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from laggroam_sim.cli import main as sim_main
from laggroam_sim.site import site_of

from laggroam.config import policy
from laggroam.edge.store import Store
from laggroam.edge.system import System

REPO = Path(__file__).resolve().parents[1]
LINE = "!system=IFNET subsystem=em0 type=LINK_DOWN"
WIRELESS_MAC = "20:0d:b0:c4:ab:59"  # iwn0's: the sample policy gives it to lagg0
# (module, function) pairs counted as what they are.
PARSES = {
    ("laggroam.devd.devdline", "parse_event"),
    ("laggroam.devd.hookclient", "_fields"),
    ("laggroam.core.event", "parse_event"),
    ("laggroam.core.event", "parse_event_text"),
}
OBSERVE = ("laggroam.edge.system", "observe")
DEVD_CONF = ("laggroam.devd.devdconf", "load_devd")
EXECUTE = ("laggroam.edge.system", "execute")


class Stop(BaseException):
    """The first action is about to run (no ``except Exception`` of the product stops it)."""


class Trace:
    """Calls between laggroam's modules until the first ``System.execute`` (``whole``:
    to the end, counting what a whole batch costs)."""

    def __init__(self, *, whole: bool = False) -> None:
        self.whole = whole
        self.crossings = 0
        self.modules: list[str] = []
        self.counts: dict[str, int] = {"parses": 0, "observations": 0, "devd.conf reads": 0}
        self.stack: list[str] = []  # the modules of the call stack at the first action

    def __call__(self, frame: FrameType, event: str, _arg: Any) -> None:
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("laggroam."):
            return
        key = (module, frame.f_code.co_name)
        if key == EXECUTE and not self.stack:
            self.stack = _stack_modules(frame)
            if not self.whole:
                raise Stop
        caller = _product_caller(frame.f_back)
        if caller is not None and caller != module:
            self.crossings += 1
        if module not in self.modules:
            self.modules.append(module)
        if key in PARSES:
            self.counts["parses"] += 1
        elif key == OBSERVE:
            self.counts["observations"] += 1
        elif key == DEVD_CONF:
            self.counts["devd.conf reads"] += 1

    @contextlib.contextmanager
    def on(self) -> Iterator[None]:
        sys.setprofile(self)
        try:
            yield
        except Stop:
            pass
        finally:
            sys.setprofile(None)


def _stack_modules(frame: FrameType | None) -> list[str]:
    """laggroam's modules on the stack, outermost first, each run of one module once."""
    out: list[str] = []
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if name.startswith("laggroam.") and (not out or out[-1] != name):
            out.append(name)
        frame = frame.f_back
    return out[::-1]


def _product_caller(frame: FrameType | None) -> str | None:
    """The nearest laggroam module up the stack (a lambda or stdlib frame in between is skipped)."""
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if name.startswith("laggroam."):
            return name
        frame = frame.f_back
    return None


def laptop(base: Path) -> Path:
    """A simulated laptop, converged under the sample policy, then em0's cable pulled."""
    sim_dir = base / "sim"
    quiet = contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO())
    with quiet[0], quiet[1]:
        rc = f"ifconfig_em0=ether {WIRELESS_MAC} up"
        assert sim_main(["init", "laptop", "--rc", rc], sim_dir) == 0
    return sim_dir


def unplug(sim_dir: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert sim_main(["unplug", "em0"], sim_dir) == 0


def daemon_path(base: Path, others: tuple[str, ...] = (), *, whole: bool = False) -> Trace:
    """The daemon's part of the path, in this process, from the hook's check on;
    ``others``: devd lines about interfaces the policy does not name, in the same batch."""
    from laggroam.daemon.batchrun import BatchWork
    from laggroam.daemon.scheduler import Scheduler
    from laggroam.devd import hookclient, protocol
    from laggroam.edge.reconcile import locked_reconcile

    sim_dir = laptop(base)
    pol = policy.load(REPO / "conf" / "laggroam.ini.sample")
    system = System(site_of(sim_dir).programs)
    store = Store(base / "state")
    locked_reconcile(system, pol, store, [])  # the start reconcile: converged
    unplug(sim_dir)
    names = _names(pol)
    scheduler = Scheduler(pol.daemon, names)
    work = BatchWork(
        system, store, chain_root=sim_dir / "root", chain_path="/bin", stopping=lambda: False
    )
    trace = Trace(whole=whole)
    with trace.on():
        for line in (LINE, *others):
            assert hookclient.check("link", line) is None
            message = protocol.decode(f"laggroam/1 DEVD {line}\n".encode("ascii"))
            scheduler.on_message(message, time.monotonic())
        dispatch = scheduler.take_due(time.monotonic() + pol.daemon.max_delay)
        assert dispatch is not None
        work.run(dispatch, pol, names)
    return trace


def one_shot_path(base: Path) -> Trace:
    """``laggroam --sim DIR apply --coalesce --devd LINE`` from its argv on."""
    from laggroam.admin.cli import main
    from laggroam.edge.reconcile import locked_reconcile

    sim_dir = laptop(base)
    pol = policy.load(REPO / "conf" / "laggroam.ini.sample")
    locked_reconcile(System(site_of(sim_dir).programs), pol, Store(_state_dir(sim_dir, pol)), [])
    unplug(sim_dir)
    argv = ["--sim", str(sim_dir), "-c", str(REPO / "conf" / "laggroam.ini.sample")]
    trace = Trace()
    with trace.on(), contextlib.redirect_stderr(io.StringIO()):
        main([*argv, "apply", "--coalesce", "--devd", LINE])
    return trace


def _state_dir(sim_dir: Path, pol: policy.Policy) -> Path:
    return sim_dir.resolve() / "root" / pol.daemon.state_dir.lstrip("/")


def _names(pol: policy.Policy) -> frozenset[str]:
    names = {lagg.name for lagg in pol.laggs}
    names.update(port for lagg in pol.laggs for port in lagg.ports)
    names.update(w.name for w in pol.wlans)
    names.update(w.parent for w in pol.wlans)
    return frozenset(names)


def report(name: str, run: Callable[[Path], Trace]) -> None:
    """The second of two runs: the first pays for lazy imports and the regex cache."""
    for _ in range(2):
        with tempfile.TemporaryDirectory(prefix="hops") as tmp:
            trace = run(Path(tmp))
    counts = ", ".join(f"{v} {k}" for k, v in trace.counts.items())
    print(
        f"{name}: {trace.crossings} calls between modules, {len(trace.modules)} modules; {counts}"
    )
    print("  modules: " + " ".join(m.removeprefix("laggroam.") for m in trace.modules))
    stack = " > ".join(m.removeprefix("laggroam.") for m in trace.stack)
    print(f"  stack at the first action ({len(trace.stack) - 1} boundaries): {stack}")


def main() -> int:
    import laggroam

    print(f"laggroam from {Path(laggroam.__file__).parent}")
    logging.disable(logging.WARNING)
    report("daemon", daemon_path)
    other = "!system=IFNET subsystem=re0 type=LINK_UP"
    report(
        "daemon, a whole batch with re0's LINK_UP too",
        lambda base: daemon_path(base, (other,), whole=True),
    )
    report("one-shot", one_shot_path)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
