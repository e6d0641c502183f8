"""Fast observation of a simulated host for tests (see laggroam.sim.inprocess)."""

from pathlib import Path

from laggroam.sim.inprocess import system
from laggroam.system import System


def in_process(sim_dir: Path) -> System:
    return system(sim_dir)
