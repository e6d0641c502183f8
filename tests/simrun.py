"""Run the simulator's stand-ins in this process: the product's own System, minus process starts.

The argv is exactly what laggroam would exec (DIR/bin/ifconfig ...); only the
fork/exec is skipped, so the stateful tests can afford hundreds of reconciles.
"""

import time
from collections.abc import Sequence
from pathlib import Path

from laggroam.runner import Result
from laggroam.sim import standin
from laggroam.system import Programs, System


def in_process(sim_dir: Path) -> System:
    bin_dir = str((sim_dir / "bin").resolve())

    def runner(argv: Sequence[str], timeout: float) -> Result:
        args = tuple(argv)
        prog_path = Path(args[0])
        if str(prog_path.parent) != bin_dir:
            return Result(args, None, error=f"not a stand-in: {args[0]}")
        started = time.monotonic()
        done = standin.execute(prog_path.name, list(args[1:]), sim_dir)
        return Result(args, done.status, done.out, done.err, None, time.monotonic() - started)

    return System(Programs.for_sim(sim_dir), runner=runner)
