"""4. A flood: 1,000,000 distinct hook-class events from root, into the daemon's socket.

Each event names another interface (``ue0`` ... ``ue999999``, LINK_UP,
LINK_DOWN, ATTACH, DETACH in turn), so nothing deduplicates: the daemon must
stay bounded by what it keeps (events about interfaces its policy names, and
a capped number of devd events to chain per batch).  The flood comes from a
separate sender process as fast as it can go, with the hooks' own
``hookclient.send``; meanwhile the simulated cable of em0 is pulled and the
real hook message sent.  Measured: the daemon's peak RSS, how long after the
flood's end that real event is reconciled, and, in a second flood, how long
SIGTERM takes to end the daemon.
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.simhost import REPO, Laptop, daemon_on, sim
from bench.stats import Row, Summary, rss_kib, wait_for
from laggroam.devd import hookclient

RSS_TARGET_MB = 40.0
LATENCY_TARGET = 2.0
STOP_TARGET = 5.0
DOWN_EM0 = b"laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN\n"
# The sender: N distinct events, as fast as one process can; prints how many were taken,
# and keeps the number sent so far in a progress file (a send the daemon's full backlog
# refused at connect never reaches the daemon's counters, so those cannot say "half").
SENDER = """\
import sys
sys.path.insert(0, sys.argv[3])
from laggroam.devd.hookclient import send
path, n = sys.argv[1], int(sys.argv[2])
progress = open(sys.argv[4], "w")
kinds = ("LINK_UP", "LINK_DOWN", "ATTACH", "DETACH")
taken = 0
for i in range(n):
    if i % 1024 == 0:
        progress.seek(0)
        progress.write(f"{i:12d}")
        progress.flush()
    line = f"laggroam/1 DEVD !system=IFNET subsystem=ue{i} type={kinds[i % 4]}\\n"
    taken += send(path, line.encode("ascii"))
import time
print(taken, time.time(), flush=True)
"""


def _flood(socket_path: str, events: int) -> tuple[subprocess.Popen[str], Path]:
    progress = Path(socket_path).with_name("flood.progress")
    proc = subprocess.Popen(
        [sys.executable, "-c", SENDER, socket_path, str(events), str(REPO), str(progress)],
        stdout=subprocess.PIPE,
        text=True,
    )
    return proc, progress


def _sent(progress: Path) -> int:
    try:
        return int(progress.read_text() or 0)
    except (OSError, ValueError):
        return 0


def _send_until_taken(socket_path: str, message: bytes, timeout: float = 60.0) -> None:
    """A real hook would start a one-shot when not taken; here, try again until taken."""
    wait_for("the real event taken", lambda: hookclient.send(socket_path, message), timeout)


def run_bench(events: int) -> list[Row]:
    laptop = Laptop(debounce="300ms", max_delay="5s")  # laggroam's defaults
    try:
        with daemon_on(laptop) as daemon:
            daemon.wait_quiet()
            rest_kib = rss_kib(daemon.pid)
            n = laptop.journal_len()
            sender, progress = _flood(str(laptop.socket), events)
            # Half-way through (by the sender's count), the cable really goes.
            wait_for("half the flood", lambda: _sent(progress) >= events // 2, 1200)
            sim(laptop.sim_dir, "unplug", "em0")
            _send_until_taken(str(laptop.socket), DOWN_EM0)
            sent_at = time.time()
            out, _ = sender.communicate(timeout=1200)
            taken_text, ended = out.split()
            taken = int(taken_text)
            # A short flood may be over before the event goes: count from whichever is later.
            flood_end = max(float(ended), sent_at)

            def reconciled() -> float | None:
                from laggroam.edge.store import Store

                for r in Store(laptop.state_dir).read_journal(last=1000)[max(0, n - 1) :]:
                    if "LINK_DOWN em0" in r.get("events", []):
                        return float(r["time"])
                return None

            done_at = wait_for("the real event's reconcile", reconciled, 120)
            # Both wall-clock: the journal's time is when the reconcile ended.
            latency = done_at - flood_end
            peak_kib = rss_kib(daemon.pid, "VmHWM")
        stop = _stop_during_flood(events)
    finally:
        laptop.remove()
    peak_mb = peak_kib / 1024
    return [
        Row(
            "flood",
            f"daemon peak RSS (VmHWM), {events} distinct events ({taken} taken)",
            Summary(peak_mb, peak_mb, peak_mb, 1),
            "MB",
            "its RSS at rest",
            Summary(rest_kib / 1024, rest_kib / 1024, rest_kib / 1024, 1),
            peak_kib / rest_kib,
            target=f"< {RSS_TARGET_MB:g} MB",
            met=peak_mb < RSS_TARGET_MB,
        ),
        Row(
            "flood",
            "real event reconciled, after the flood's end",
            Summary(latency, latency, latency, 1),
            "s",
            target=f"<= {LATENCY_TARGET:g} s",
            met=latency <= LATENCY_TARGET,
            note="negative: reconciled while the flood still ran",
        ),
        Row(
            "flood",
            "SIGTERM during the flood to exit",
            Summary(stop, stop, stop, 1),
            "s",
            target=f"<= {STOP_TARGET:g} s",
            met=stop <= STOP_TARGET,
        ),
    ]


def _stop_during_flood(events: int) -> float:
    """Seconds from SIGTERM, sent a third into a flood, to the daemon's exit."""
    laptop = Laptop(debounce="300ms", max_delay="5s")
    try:
        with daemon_on(laptop) as daemon:
            daemon.wait_quiet()
            sender, progress = _flood(str(laptop.socket), events)
            try:
                wait_for("a third of the flood", lambda: _sent(progress) >= events // 3, 1200)
                started = time.monotonic()
                daemon.proc.send_signal(signal.SIGTERM)
                daemon.proc.wait(timeout=60)
                return time.monotonic() - started
            finally:
                sender.kill()
                sender.wait(timeout=30)
    finally:
        laptop.remove()
