"""The simulated laptop of the scenarios: laggroam installed as a user installs it.

Every scenario goes the whole way: a world change in the simulator, the
kernel's devd events, the simulated devd choosing laggroam's rule, the real
hook, the daemon (or the one-shot fallback), and the host converging.
"""

import os
import time
from collections.abc import Callable
from pathlib import Path

from laggroam.demo import Story
from laggroam.host import Host
from laggroam.sim.state import read_only

WAIT = 20.0


class Laptop(Story):
    """``Story`` with test conveniences; ``lines`` holds what it said."""

    lines: list[str]

    def wait(self, what: str, probe: Callable[[], object], timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while not probe():
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            time.sleep(0.1)

    def settle(self, expect: Callable[[Host], object] = lambda h: True) -> Host:
        """Wait until nothing is pending anywhere and ``expect`` holds; return the host."""
        self.wait("convergence", lambda: self.converged() and not _one_shots(self.dir))
        self.wait("the expected state", lambda: self.converged() and expect(self.observe()))
        return self.observe()

    def world(self, *argv: str) -> None:
        self.sim(*argv)

    def lagg(self, host: Host | None = None) -> tuple[tuple[str, ...], str | None, str | None]:
        host = host or self.observe()
        lagg = host.get("lagg0")
        assert lagg is not None and lagg.lagg is not None
        return lagg.lagg.port_names, lagg.lagg.primary, lagg.lagg.active

    def address(self) -> str | None:
        lagg = read_only(self.dir).interfaces.get("lagg0")
        return f"{lagg.inet[0].addr}/{lagg.inet[0].prefixlen}" if lagg and lagg.inet else None

    def stock_calls(self, prog: str, *argv: str) -> int:
        """How often a stand-in ran with exactly this argv (stock rules included)."""
        return sum(
            1 for c in read_only(self.dir).write_calls if c.prog == prog and c.argv == list(argv)
        )

    def records(self) -> list[dict[str, object]]:
        return self.store.read_journal(last=1000)


def _one_shots(sim_dir: Path) -> bool:
    """A one-shot ``laggroam --sim DIR apply`` started by a hook is still running."""
    needle = str(sim_dir).encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline and b"\0apply\0" in cmdline:
            return True
    return False
