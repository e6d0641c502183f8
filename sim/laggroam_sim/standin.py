"""A stand-in program's run on the simulated host: lock it, run, settle.

Every invocation of a stand-in (``standinmain``, the in-process observation,
devd's actions outside the lock) runs here: it locks the simulated host, runs
the program (``userland``), lets the host settle and records a
state-changing call in ``state.write_calls`` (a converged host must see none).
"""

from pathlib import Path

from laggroam_sim.model import WriteCall
from laggroam_sim.state import Sim
from laggroam_sim.userland import Run, dispatch

__all__ = ["Run", "execute"]


def execute(prog: str, argv: list[str], sim_dir: Path) -> Run:
    """Run a stand-in on the host in ``sim_dir`` and return its output."""
    from laggroam_sim import engine

    with Sim.open(sim_dir) as sim:
        run = dispatch(sim, prog, argv)
        engine.settle(sim)
        if run.wrote:
            sim.state.write_calls.append(WriteCall(sim.state.now, prog, list(argv)))
        run.devd = sim.state.devd
    return run
