"""A simulated laptop with laggroam on it, and a real daemon process on that laptop.

The simulator stands in for FreeBSD (its ifconfig, service, dhclient and
wpa_cli are real processes with FreeBSD's argv and output), so every cost
measured here includes the process starts a real host would pay.
"""

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from laggroam_sim import cli as sim_cli

from bench.stats import wait_for
from laggroam.edge.store import Store

REPO = Path(__file__).resolve().parents[1]
WAIT = 30.0
# The policy every benchmark runs under: the seed laptop's, a 100 ms debounce.
POLICY = """\
[daemon]
debounce = {debounce}
max_delay = {max_delay}
interval = 0
log = stderr
log_level = warning

[lagg0]
ports = em0 wlan0
proto = failover

[wlan0]
parent = iwn0
wpa = yes
"""
POLICY_REL = "usr/local/etc/laggroam/laggroam.ini"


def policy_text(debounce: str = "100ms", max_delay: str = "1s") -> str:
    return POLICY.format(debounce=debounce, max_delay=max_delay)


def sim(sim_dir: Path, *argv: str) -> None:
    """A ``laggroam-sim --dir DIR VERB`` run in this process, quietly; it must succeed."""
    with contextlib.redirect_stdout(io.StringIO()):
        if sim_cli.main(list(argv), sim_dir) != 0:
            raise RuntimeError(f"sim {' '.join(argv)} failed")


class Laptop:
    """A booted seed laptop in a short /tmp directory (sun_path is 104 bytes)."""

    def __init__(self, debounce: str = "100ms", max_delay: str = "1s") -> None:
        self.base = Path(tempfile.mkdtemp(prefix="lgrb", dir="/tmp"))
        self.sim_dir = self.base / "sim"
        sim(self.sim_dir, "init", "laptop")
        self.root = self.sim_dir / "root"
        self.policy_path = self.root / POLICY_REL
        self.policy_path.parent.mkdir(parents=True, exist_ok=True)
        self.policy_path.write_text(policy_text(debounce, max_delay))
        self.state_dir = self.root / "var/db/laggroam"
        self.socket = self.root / "var/run/laggroam.sock"

    def journal_len(self) -> int:
        return len(Store(self.state_dir).read_journal(last=1_000_000))

    def remove(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def laggroam_argv(laptop: Laptop, *argv: str) -> list[str]:
    """``laggroam -c POLICY --sim DIR ARGV`` through the installed console script."""
    return [
        str(Path(sys.executable).parent / "laggroam"),
        "-c",
        str(laptop.policy_path),
        "--sim",
        str(laptop.sim_dir),
        *argv,
    ]


class DaemonProc:
    """``laggroam daemon -f`` on a laptop, as rc.d would start it (stdio to a log)."""

    def __init__(self, laptop: Laptop, env: dict[str, str] | None = None) -> None:
        self.laptop = laptop
        self.log_path = laptop.base / "daemon.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                laggroam_argv(laptop, "daemon", "-f"),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env={**os.environ, **(env or {})},
                cwd=REPO,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def status(self) -> dict[str, Any] | None:
        try:
            data = json.loads((self.laptop.state_dir / "daemon.json").read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("pid") != self.pid:
            return None
        return data

    def _alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(
                f"daemon exited {self.proc.returncode}: {self.log_path.read_text()[-2000:]}"
            )

    def wait_status(self, what: str, pred: Any, timeout: float = WAIT) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            self._alive()
            st = self.status()
            return st if st is not None and pred(st) else None

        result: dict[str, Any] = wait_for(what, probe, timeout)
        return result

    def wait_quiet(self) -> dict[str, Any]:
        """The first reconcile is done and nothing is queued or running."""
        return self.wait_status(
            "a quiet daemon",
            lambda s: s["reconciles"] >= 1 and not s["busy"] and s["queue"] == 0,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@contextlib.contextmanager
def daemon_on(laptop: Laptop, env: dict[str, str] | None = None) -> Iterator[DaemonProc]:
    d = DaemonProc(laptop, env)
    try:
        yield d
    finally:
        d.stop()


def settle(seconds: float) -> None:
    """Let the machine go quiet between benchmarks (a pause in a benchmark, never in a test)."""
    time.sleep(seconds)
