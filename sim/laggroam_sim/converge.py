"""Waiting, with a deadline, for a simulated host on which laggroam is installed to settle.

Once devd hands events to laggroam's hooks, the work goes on in detached
one-shot reconciles or in the daemon, so a test or the demo cannot know when
it is over by itself: it waits until ``settled.Settled`` says so.
"""

from pathlib import Path

from laggroam_sim.settled import Settled

POLL = 0.05


def wait_settled(sim_dir: Path, timeout: float = 60.0) -> list[str]:
    """Poll until the host settles; returns [] then, or what is still to do at the deadline."""
    return Settled(Path(sim_dir)).wait(timeout, POLL)
