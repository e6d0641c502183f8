"""3. A flap storm: 10,000 LINK_UP/LINK_DOWN for one port within a second, into the socket.

Each event is one connection and one line, sent with the hooks' own
``hookclient.send`` (what a hook would do, minus the interpreter start that
makes real hooks far slower than this).  The simulated cable really flaps
too, in ten stretches, ending unplugged; so the end state must show em0
down and wlan0 carrying lagg0, with nothing left to do.  A message the daemon
did not take is counted as dropped: a real hook would then start a one-shot.
"""

import time

from laggroam_sim.site import site_of

from bench.simhost import DaemonProc, Laptop, daemon_on, sim
from bench.stats import Row, Summary, rss_kib
from laggroam.config import policy
from laggroam.core import plan
from laggroam.core.memory import Memory
from laggroam.devd import hookclient
from laggroam.edge.reconcile import observe_for
from laggroam.edge.store import Store
from laggroam.edge.system import System

DOWN = b"laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN\n"
UP = b"laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_UP\n"
RECONCILE_TARGET = 3
RSS_TARGET_MB = 40.0


def storm(
    laptop: Laptop, events: int, window: float | None, stretches: int = 10
) -> tuple[int, int, float]:
    """(sent, not taken, seconds): ``events`` messages, the world flipping between stretches.

    Each stretch ends on the message that tells the world's truth then; the
    last stretch ends unplugged.  With ``window``, the messages are spread
    evenly over that many seconds; without, they go as fast as one sender can.
    """
    socket_path = str(laptop.socket)
    per = max(1, events // stretches)
    failed = sent = 0
    started = time.perf_counter()
    for s in range(stretches):
        last_down = (stretches - 1 - s) % 2 == 0
        sim(laptop.sim_dir, "unplug" if last_down else "plug", "em0")
        count = per if s < stretches - 1 else events - per * (stretches - 1)
        for i in range(count):
            # alternate so that the stretch's last message matches the world
            down = (count - 1 - i) % 2 == 0 if last_down else (count - 1 - i) % 2 == 1
            if not hookclient.send(socket_path, DOWN if down else UP):
                failed += 1
            sent += 1
            if window is not None and sent % 50 == 0:
                ahead = started + window * sent / events - time.perf_counter()
                if ahead > 0:
                    time.sleep(ahead)
    return sent, failed, time.perf_counter() - started


def run_bench(events: int, window: float | None = 0.95) -> list[Row]:
    laptop = Laptop(debounce="100ms", max_delay="1s")
    pace = f"spread over {window:g} s" if window is not None else "as fast as possible"
    try:
        with daemon_on(laptop) as daemon:
            before = daemon.wait_quiet()
            rest_kib = rss_kib(daemon.pid)
            journal_before = laptop.journal_len()
            sent, failed, seconds = storm(laptop, events, window)
            after = daemon.wait_status(
                "every message handled",
                lambda s: (
                    s["accepted"] + s["refused"] - before["accepted"] - before["refused"]
                    >= sent - failed
                    and not s["busy"]
                    and s["queue"] == 0
                ),
                timeout=120,
            )
            peak_kib = rss_kib(daemon.pid, "VmHWM")
            reconciles = laptop.journal_len() - journal_before
            accepted = after["accepted"] - before["accepted"]
            refused = after["refused"] - before["refused"]
            active, pending = end_state(laptop)
    finally:
        laptop.remove()
    dropped = sent - accepted
    truth = active == "wlan0" and not pending
    peak_mb = peak_kib / 1024
    return [
        Row(
            "storm",
            f"events accepted of {sent} sent in {seconds:.2f} s ({pace})",
            Summary(accepted, accepted, accepted, 1),
            "events",
            "events sent",
            Summary(sent, sent, sent, 1),
            accepted / sent,
            target="all (dropped 0)",
            met=dropped == 0,
            note=(
                f"dropped {dropped} ({failed} connects refused by a full backlog,"
                f" {refused} refused by the daemon)"
            ),
            extra={"sent": sent, "seconds": seconds, "failed_sends": failed, "refused": refused},
        ),
        Row(
            "storm",
            "reconciles run for the storm",
            Summary(reconciles, reconciles, reconciles, 1),
            "reconciles",
            target=f"<= {RECONCILE_TARGET}",
            met=reconciles <= RECONCILE_TARGET,
            note="debounce 100 ms, max_delay 1 s",
        ),
        Row(
            "storm",
            "end state = last event's truth (em0 down)",
            None,
            "",
            target="lagg0 active wlan0, 0 actions left",
            met=truth,
            note=f"lagg0 active {active}, {len(pending)} action(s) left",
        ),
        Row(
            "storm",
            "daemon peak RSS (VmHWM)",
            Summary(peak_mb, peak_mb, peak_mb, 1),
            "MB",
            "its RSS at rest",
            Summary(rest_kib / 1024, rest_kib / 1024, rest_kib / 1024, 1),
            peak_kib / rest_kib,
            target=f"<= {RSS_TARGET_MB:g} MB",
            met=peak_mb <= RSS_TARGET_MB,
        ),
    ]


def end_state(laptop: Laptop) -> tuple[str | None, list[str]]:
    """lagg0's active port as observed now, and what a reconcile would still do."""
    pol = policy.load(laptop.policy_path)
    host = observe_for(System(site_of(laptop.sim_dir).programs), pol)
    memory = Store(laptop.state_dir).load_memory() or Memory()
    actions = plan.plan(pol, host, memory, (), time.time()).actions
    lagg = host.laggs().get("lagg0")
    return (lagg.active if lagg else None), [" ".join(a.command()) for a in actions]


__all__ = ["DaemonProc", "run_bench"]
