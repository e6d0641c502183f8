"""The daemon's memory over a long run: an event every 10 ms for two minutes.

A leak shows as growth over time, not as a peak: the daemon's resident set
(VmRSS) is sampled every second while LINK_UP/LINK_DOWN hints for em0 arrive
every 10 ms through the hooks' own ``hookclient.send`` (the cable stays
plugged, so each reconcile finds the host converged).
"""

import time

from bench.simhost import Laptop, daemon_on
from bench.stats import Row, Summary, rss_kib
from laggroam.devd import hookclient

DOWN = b"laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN\n"
UP = b"laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_UP\n"
PERIOD = 0.010
RSS_TARGET_MB = 40.0
GROWTH_TARGET = 1.10


def run_bench(seconds: float) -> list[Row]:
    laptop = Laptop(debounce="100ms", max_delay="1s")
    samples: list[int] = []
    sent = refused = 0
    try:
        with daemon_on(laptop) as daemon:
            before = daemon.wait_quiet()
            samples.append(rss_kib(daemon.pid))
            started = time.monotonic()
            next_sample = started + 1.0
            while (now := time.monotonic()) < started + seconds:
                if not hookclient.send(str(laptop.socket), DOWN if sent % 2 else UP):
                    refused += 1
                sent += 1
                if now >= next_sample:
                    samples.append(rss_kib(daemon.pid))
                    next_sample += 1.0
                time.sleep(max(0.0, started + sent * PERIOD - time.monotonic()))
            after = daemon.wait_quiet()
            samples.append(rss_kib(daemon.pid))
    finally:
        laptop.remove()
    mb = [s / 1024 for s in samples]
    growth = mb[-1] / mb[0]
    reconciles = after["reconciles"] - before["reconciles"]
    return [
        Row(
            "rss",
            f"daemon RSS over {seconds:g} s, an event every {PERIOD * 1000:g} ms (VmRSS, 1/s)",
            Summary(max(mb), min(mb), max(mb), len(mb)),
            "MB",
            "its RSS at the start",
            Summary(mb[0], mb[0], mb[0], 1),
            growth,
            target=f"<= {RSS_TARGET_MB:g} MB, end <= {GROWTH_TARGET:g}x start",
            met=max(mb) <= RSS_TARGET_MB and growth <= GROWTH_TARGET,
            note=(
                f"{sent} events sent ({refused} not taken), {reconciles} reconciles;"
                f" start {mb[0]:.1f} MB, end {mb[-1]:.1f} MB (the value is the peak sample)"
            ),
            extra={"samples_mb": [round(m, 2) for m in mb], "sent": sent},
        )
    ]
