"""Helpers for the daemon tests: a simulated host, a policy, a daemon process.

Everything is real: the daemon runs as ``python -m laggroam ... daemon -f``
on a simulated host, hooks' messages go through its Unix socket, and tests
wait on the files it writes (status, decision journal) with deadlines.
"""

import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from laggroam_sim import cli as sim_cli
from laggroam_sim import devd as sim_devd
from laggroam_sim import settled
from laggroam_sim.site import site_of

from laggroam.config import policy
from laggroam.core.action import Action
from laggroam.core.host import Host
from laggroam.edge.reconcile import observe_for
from laggroam.edge.store import Store
from laggroam.edge.system import System

REPO = Path(__file__).resolve().parents[2]
WAIT = 15.0  # seconds: a deadline, not a pause; conditions usually hold in well under one
POLICY = """\
[daemon]
debounce = 100ms
max_delay = 1s
interval = 0
log = stderr
log_level = info

[lagg0]
ports = em0 wlan0
proto = failover

[wlan0]
parent = iwn0
wpa = yes
"""
DOWN_EM0 = b"laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN\n"
UP_EM0 = b"laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_UP\n"

T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = WAIT) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.01)


def sim(sim_dir: Path, *argv: str) -> None:
    """Run a ``laggroam-sim --dir DIR VERB`` in-process (quiet); it must succeed."""
    with contextlib.redirect_stdout(io.StringIO()):
        assert sim_cli.main(list(argv), sim_dir) == 0, argv


def new_laptop(template: Path) -> Path:
    """A fresh copy of the booted laptop in a short, world-traversable /tmp dir.

    Short because sun_path is 104 bytes (freebsd-src sys/sys/un.h); traversable
    so that a client running as another uid can reach the socket.
    """
    base = Path(tempfile.mkdtemp(prefix="lgr", dir="/tmp"))
    base.chmod(0o755)
    shutil.copytree(template, base / "sim")
    # devd.conf names the simulated /'s scripts by absolute path: write it for the copy
    sim_devd.install(base / "sim")
    (base / "pol").mkdir()
    return base


class Daemon:
    """One ``laggroam daemon -f`` process on a simulated host."""

    def __init__(
        self, base: Path, policy_text: str = POLICY, policy_path: Path | None = None
    ) -> None:
        self.base = base
        self.sim_dir = base / "sim"
        self.policy_path = policy_path or base / "pol" / "laggroam.ini"
        if not self.policy_path.exists():
            self.policy_path.write_text(policy_text)
        self.root = self.sim_dir / "root"
        self.state_dir = self.root / "var/db/laggroam"
        self.socket = self.root / "var/run/laggroam.sock"
        self.log_path = base / f"daemon-{time.monotonic_ns()}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "laggroam",
            "-c",
            str(self.policy_path),
            "--sim",
            str(self.sim_dir),
            "daemon",
            "-f",
        ]

    def start(self, env: dict[str, str] | None = None) -> "Daemon":
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self.argv(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env={**os.environ, **(env or {})},
                cwd=REPO,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        """Kill the process if it still runs (the fixtures' finalizer)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def signal(self, signum: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(signum)

    def exit_code(self, timeout: float = WAIT) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    # -- what it writes ----------------------------------------------------

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def status(self) -> dict[str, Any] | None:
        """The status file, when it exists, parses and was written by this process."""
        try:
            data = json.loads((self.state_dir / "daemon.json").read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("pid") != self.pid:
            return None
        return data

    def wait_status(
        self, what: str, pred: Callable[[dict[str, Any]], bool], timeout: float = WAIT
    ) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            st = self.status()
            self._alive(what)
            return st if st is not None and pred(st) else None

        return wait_for(what, probe, timeout)

    def _alive(self, what: str) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(
                f"daemon exited ({self.proc.returncode}) while waiting for {what}:\n{self.log()}"
            )

    def wait_ready(self) -> dict[str, Any]:
        """The first reconcile is done (READY)."""
        return self.wait_status(
            "the first reconcile", lambda s: s["reconciles"] >= 1 and not s["busy"]
        )

    def journal(self) -> list[dict[str, Any]]:
        return Store(self.state_dir).read_journal(last=10_000)

    def wait_journal(
        self, what: str, pred: Callable[[list[dict[str, Any]]], bool], timeout: float = WAIT
    ) -> list[dict[str, Any]]:
        def probe() -> list[dict[str, Any]] | None:
            self._alive(what)
            records = self.journal()
            return records if pred(records) else None

        return wait_for(what, probe, timeout)

    def send(self, message: bytes) -> None:
        """Send a message as a hook does, and make sure it was taken."""
        from laggroam.devd.hookclient import send

        assert send(str(self.socket), message), "the daemon did not take the message"

    def wait_socket(self) -> None:
        def probe() -> bool:
            self._alive("the socket")
            with contextlib.closing(socket.socket(socket.AF_UNIX)) as s:
                try:
                    s.connect(str(self.socket))
                except OSError:
                    return False
                return True

        wait_for("the daemon's socket", probe)

    def cli(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """``laggroam -c POLICY --sim DIR ARGV...`` as a user runs it."""
        base = [sys.executable, "-m", "laggroam", "-c", str(self.policy_path)]
        return subprocess.run(
            [*base, "--sim", str(self.sim_dir), *argv],
            capture_output=True,
            text=True,
            timeout=WAIT,
            cwd=REPO,
            check=False,
        )

    # -- the host ----------------------------------------------------------

    def _policy(self, text: str | None) -> policy.Policy:
        if text is None:
            return policy.load(self.policy_path)
        return policy.loads(text, str(self.policy_path))

    def observe(self, policy_text: str | None = None) -> Host:
        """The host as the daemon sees it (under the policy file, or ``policy_text``)."""
        return observe_for(System(site_of(self.sim_dir).programs), self._policy(policy_text))

    def pending_actions(self, policy_text: str | None = None) -> list[Action]:
        """What a reconcile would do now, by the simulator's one settling test."""
        system = System(site_of(self.sim_dir).programs)
        return settled.remaining(system, self._policy(policy_text), Store(self.state_dir))

    def active_when_converged(self, policy_text: str | None = None) -> str | None:
        """lagg0's active port, after checking that there is nothing left to do."""
        pol = self._policy(policy_text)
        system = System(site_of(self.sim_dir).programs)
        host = observe_for(system, pol)
        actions = settled.remaining(system, pol, Store(self.state_dir), host)
        assert actions == [], [a.command() for a in actions]
        return host.laggs()["lagg0"].active


def flap(daemon: Daemon, pairs: int, repeat: int = 1) -> tuple[int, float]:
    """Flap em0's cable ``pairs`` times, as the world and its hooks would, ending unplugged.

    Each change of the simulated world is followed by the hook's message
    (``repeat`` times: a bouncing link signals again and again), so messages
    come a few ms apart, never leaving ``debounce`` of quiet.  Returns
    (messages sent, seconds).
    """
    started = time.monotonic()
    sent = 0
    for verb, message in [("unplug", DOWN_EM0), ("plug", UP_EM0)] * pairs + [("unplug", DOWN_EM0)]:
        sim(daemon.sim_dir, verb, "em0")
        for _ in range(repeat):
            daemon.send(message)
            sent += 1
    return sent, time.monotonic() - started


def save_by_rename(path: Path, text: str) -> None:
    """Save as editors do: write a temporary file beside it, then rename it over."""
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text)
    os.replace(tmp, path)


@contextlib.contextmanager
def running(
    base: Path, env: dict[str, str] | None = None, policy_path: Path | None = None
) -> Iterator[Daemon]:
    d = Daemon(base, policy_path=policy_path).start(env)
    try:
        yield d
    finally:
        d.stop()
