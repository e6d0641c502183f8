"""Samples, their summary, and what a process costs (wall time, RSS, CPU) on Linux.

Timings on a shared machine are noisy, so every figure is the median of
several runs with its min and max, and is judged as a ratio against a
reference measured in the same run, never as an absolute pass/fail.
"""

import contextlib
import ctypes
import os
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Summary:
    """Median, min and max of some samples, in the samples' unit."""

    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> "Summary":
        if not samples:
            raise ValueError("no samples")
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))

    def scaled(self, factor: float) -> "Summary":
        return Summary(self.median * factor, self.low * factor, self.high * factor, self.n)


@dataclass
class Row:
    """One line of the table: a figure, its reference, their ratio, and the target."""

    bench: str
    what: str
    value: Summary | None
    unit: str
    reference: str = ""
    ref_value: Summary | None = None
    ratio: float | None = None
    cpu_ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("value", "ref_value"):
            if out[key] is not None:
                out[key] = {
                    k: round(v, 6) if isinstance(v, float) else v for k, v in out[key].items()
                }
        for key in ("ratio", "cpu_ratio"):
            if out[key] is not None:
                out[key] = round(out[key], 3)
        return out


def ratio(value: Summary, reference: Summary) -> float:
    """Median over median: the figure a target is judged on."""
    return value.median / reference.median if reference.median > 0 else float("inf")


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


Timing = tuple[float, float]  # (wall seconds, CPU seconds)


def time_argv(
    argv: Sequence[str], env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)
) -> Timing:
    """Wall time from fork to the child's exit, as devd's waitpid sees it, and its CPU time.

    stdio is /dev/null, as devd gives its actions, so a detached grandchild
    holding a pipe cannot make the parent wait longer than devd would.  The
    CPU time (wait4's rusage) is less sensitive to a busy machine than the
    wall time, so both are kept.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime


def _cpu_with_children() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def time_call(fn: Callable[[], object]) -> Timing:
    """Wall and CPU time of one call in this process, the programs it ran included."""
    wall, cpu = time.perf_counter(), _cpu_with_children()
    fn()
    return time.perf_counter() - wall, _cpu_with_children() - cpu


def interleaved(
    runs: int, measures: dict[str, Callable[[], Timing]], warmup: int = 2
) -> dict[str, tuple[Summary, Summary]]:
    """Run each measure ``runs`` times, round-robin, so that drift hits all alike.

    Returns (wall, CPU) summaries per measure.
    """
    for _ in range(warmup):
        for measure in measures.values():
            measure()
    walls: dict[str, list[float]] = {name: [] for name in measures}
    cpus: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            wall, cpu = measure()
            walls[name].append(wall)
            cpus[name].append(cpu)
    return {name: (Summary.of(walls[name]), Summary.of(cpus[name])) for name in measures}


PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


@contextlib.contextmanager
def subreaper() -> Iterator[None]:
    """Adopt orphaned descendants (Linux prctl(2)), so detached ones can be waited for."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    try:
        yield
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def children() -> set[int]:
    """Pids whose parent is this process (proc(5) stat field 4)."""
    me, found = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == me:
            found.add(int(entry))
    return found


def reap_adopted(known: set[int]) -> int:
    """Wait for the children not in ``known`` (orphans adopted as a subreaper); how many.

    Only those: a blanket wait() would also reap, or block on, children that
    others in this process started.
    """
    adopted = children() - known
    for pid in adopted:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    return len(adopted)


def proc_status(pid: int) -> dict[str, str]:
    """/proc/PID/status as a dict (Linux proc(5))."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        return {k: v.strip() for k, _, v in (line.partition(":") for line in f)}


def rss_kib(pid: int, key: str = "VmRSS") -> int:
    """Resident set (VmRSS) or its peak (VmHWM) in KiB."""
    return int(proc_status(pid)[key].split()[0])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of every thread of ``pid`` (proc(5) stat fields 14, 15)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def wakeups(pid: int) -> int:
    """Context switches of every thread: each is a wake-up (a poll loop shows here)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            st = proc_status_path(f"/proc/{pid}/task/{tid}/status")
        except OSError:
            continue
        total += int(st["voluntary_ctxt_switches"]) + int(st["nonvoluntary_ctxt_switches"])
    return total


def proc_status_path(path: str) -> dict[str, str]:
    with open(path, encoding="ascii") as f:
        return {k: v.strip() for k, _, v in (line.partition(":") for line in f)}


def wait_for(what: str, probe: Callable[[], Any], timeout: float) -> Any:
    """Poll ``probe`` until it returns something truthy; RuntimeError at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise RuntimeError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.005)
