"""The entry point of every stand-in script: run, print, hand devd the events raised.

``devd`` and the installed ``laggroam`` script under ``service`` start and stop
processes, so they run here outside the host's lock (``localrc``).
"""

import sys
from pathlib import Path

from laggroam_sim import journal
from laggroam_sim.devdlog import delivered
from laggroam_sim.standin import execute
from laggroam_sim.state import SimError


def main(prog: str, argv: list[str], sim_dir: Path) -> int:
    """Entry point of every stand-in; prints and returns the exit status.

    When the simulated devd is in charge, the events this run raised are
    delivered before it exits (unless a delivery is already under way, which
    then delivers them), so a host never keeps undelivered events.
    """
    if prog == "service" and argv[:1] in (["devd"], ["laggroam"]):
        from laggroam_sim import localrc

        if localrc.handles(argv, sim_dir):
            # devd and the installed laggroam script: they start and stop processes,
            # so they run outside the host's lock (the daemon they start takes it).
            return localrc.main(argv, sim_dir)
    try:
        run = execute(prog, argv, sim_dir)
    except SimError as exc:
        sys.stderr.write(f"{prog}: simulator: {exc}\n")
        return 70
    sys.stdout.write(run.out)
    sys.stderr.write(run.err)
    sys.stdout.flush()
    if run.devd and journal.last_seq(sim_dir) > delivered(sim_dir):
        # devd (and the product's rule engine) only when an event waits: most
        # runs are observation's, which raise none
        from laggroam_sim import devd

        devd.deliver(sim_dir)
    return run.status
