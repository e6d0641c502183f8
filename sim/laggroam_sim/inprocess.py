"""The product's System on a simulated host, with the stand-ins run in this process.

The argv is exactly what laggroam would exec (DIR/bin/ifconfig -a, ...); only
the fork and exec are skipped.  Tests and the demo use it to observe the
simulated host many times a second without paying an interpreter start per
command; the daemon and the hooks still run the stand-ins as programs.
"""

import time
from collections.abc import Sequence
from pathlib import Path

from laggroam.edge.runner import Result
from laggroam.edge.system import System
from laggroam_sim import standin
from laggroam_sim.site import site_of


def system(sim_dir: Path) -> System:
    bin_dir = str((Path(sim_dir) / "bin").resolve())

    def runner(argv: Sequence[str], timeout: float) -> Result:
        args = tuple(argv)
        prog = Path(args[0])
        if str(prog.parent) != bin_dir:
            return Result(args, None, error=f"not a stand-in of this host: {args[0]}")
        started = time.monotonic()
        done = standin.execute(prog.name, list(args[1:]), Path(sim_dir))
        return Result(args, done.status, done.out, done.err, None, time.monotonic() - started)

    return System(site_of(Path(sim_dir)).programs, runner=runner)
