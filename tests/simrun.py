"""Fast observation of a simulated host for tests (see laggroam_sim.inprocess)."""

from pathlib import Path

from laggroam_sim.inprocess import system

from laggroam.edge.system import System


def in_process(sim_dir: Path) -> System:
    return system(sim_dir)
