"""Settling: after any change, let links, daemons and devd react.

The kernel, the daemons and devd's rules each react to what the others did;
``settle`` repeats their steps until nothing changes, so every operation
leaves a quiescent host and tests never wait.  devd takes the operation's
events here when it may (``devdinline``); the rest wait for ``devd.deliver``.
"""

from laggroam_sim import daemons, nd6
from laggroam_sim.state import Sim

MAX_ROUNDS = 50


def settle(sim: Sim) -> None:
    """Run reactions to a fixed point; each devd event is handled once, in order."""
    before = None
    for _ in range(MAX_ROUNDS):
        daemons.step(sim)
        nd6.step(sim)
        nd6.rtsold_step(sim)
        if sim.devd_seen < len(sim.events):
            # devd's rules through the product's engine: a read-only run (most
            # of observation's) raises no event and never imports them
            from laggroam_sim import devdinline

            devdinline.play(sim)
        # repr() of the dataclasses: a full picture of what a step can change,
        # five times cheaper than their JSON form
        snapshot = (repr(sim.state.interfaces), repr(sim.state.supplicants),
                    repr(sim.state.dhclients), len(sim.events))  # fmt: skip
        if snapshot == before:
            return
        before = snapshot
    sim.note("warning: the simulated host did not settle")
