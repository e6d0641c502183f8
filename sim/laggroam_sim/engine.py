"""Settling: after any change, let links, daemons and devd's stock rules react.

The kernel, the daemons and (while the simulator plays devd) the stock
rules each react to what the others did; ``settle`` repeats their steps
until nothing changes, so every operation leaves a quiescent host and
tests never wait.
"""

from laggroam_sim import daemons, nd6, rc
from laggroam_sim.state import Sim

MAX_ROUNDS = 50


def settle(sim: Sim) -> None:
    """Run reactions to a fixed point; each devd event is handled once, in order."""
    before = None
    for _ in range(MAX_ROUNDS):
        daemons.step(sim)
        nd6.step(sim)
        nd6.rtsold_step(sim)
        while sim.devd_seen < len(sim.events):
            line = sim.events[sim.devd_seen]
            sim.devd_seen += 1
            if sim.state.stock_devd:
                rc.stock_devd(sim, line)
        # repr() of the dataclasses: a full picture of what a step can change,
        # five times cheaper than their JSON form
        snapshot = (repr(sim.state.interfaces), repr(sim.state.supplicants),
                    repr(sim.state.dhclients), len(sim.events))  # fmt: skip
        if snapshot == before and sim.devd_seen == len(sim.events):
            return
        before = snapshot
    sim.note("warning: the simulated host did not settle")
