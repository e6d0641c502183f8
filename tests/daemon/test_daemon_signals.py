"""sd_notify as a supervisor sees it, and the signals: HUP reloads, TERM finishes and exits 0."""

import contextlib
import json
import signal
import socket
from pathlib import Path

from daemonhelp import POLICY, running, save_by_rename, sim, wait_for

from laggroam.daemon.daemonstatus import read_status
from laggroam.edge.store import Store

BAD = POLICY.replace("proto = failover", "proto = fail")
BAD_LINE = POLICY.splitlines().index("proto = failover") + 1


class NotifySocket:
    """A NOTIFY_SOCKET as systemd binds it: AF_UNIX datagrams, one message each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.setblocking(False)
        self.received: list[str] = []

    def drain(self) -> list[str]:
        with contextlib.suppress(BlockingIOError):
            while True:
                self.received.append(self.sock.recv(4096).decode("ascii"))
        return self.received

    def states(self) -> list[str]:
        """Everything but the watchdog pings, in order."""
        return [m for m in self.drain() if m != "WATCHDOG=1"]

    def wait(self, what: str, first_field: str, count: int = 1) -> list[str]:
        def probe() -> list[str] | None:
            states = self.states()
            seen = [m for m in states if m.split("\n")[0] == first_field]
            return states if len(seen) >= count else None

        return wait_for(what, probe)


def test_sd_notify_sequence_and_watchdog(base: Path) -> None:
    notify = NotifySocket(base / "notify.sock")
    env = {"NOTIFY_SOCKET": str(notify.path), "WATCHDOG_USEC": "200000"}
    with running(base, env) as daemon:
        notify.wait("READY=1", "READY=1")
        shown = daemon.cli("status", "--json")
        assert shown.returncode == 0, shown.stderr
        status = json.loads(shown.stdout)["daemon"]
        assert (status["running"], status["pid"], status["reconciles"]) == (True, daemon.pid, 1)
        assert status["last_reconcile"]["converged"] is True
        daemon.signal(signal.SIGHUP)
        notify.wait("READY=1 after the reload", "READY=1", count=2)
        save_by_rename(daemon.policy_path, BAD)
        wait_for(
            "the rejection in STATUS",
            lambda: any("policy rejected" in m for m in notify.states()),
        )
        # WATCHDOG_USEC=200 ms: pings every 100 ms while we wait for a few.
        wait_for("watchdog pings", lambda: notify.drain().count("WATCHDOG=1") >= 3)
        daemon.signal(signal.SIGTERM)
        assert daemon.exit_code() == 0
        states = notify.states()

    fields = [m.split("\n") for m in states]
    assert [f[0] for f in fields] == [
        "READY=1",
        "RELOADING=1",
        "READY=1",
        f"STATUS=1 reconciles; last: 1 actions, converged; policy rejected: "
        f"{daemon.policy_path}:{BAD_LINE}: [lagg0] proto: 'fail' is not one of failover, lacp,"
        " loadbalance, roundrobin, broadcast, none; did you mean 'failover'?",
        "STOPPING=1",
    ]
    assert fields[0][1] == "STATUS=1 reconciles; last: 1 actions, converged"
    usec = fields[1][1].removeprefix("MONOTONIC_USEC=")
    assert fields[1][1].startswith("MONOTONIC_USEC=") and usec.isdigit() and int(usec) > 0
    assert fields[2][1].startswith("STATUS=1 reconciles")


def test_sigterm_finishes_the_running_reconcile_and_exits_0(base: Path) -> None:
    # A host that needs work, so that the first reconcile takes a while.
    sim(base / "sim", "wpa", "kill", "wlan0")
    sim(base / "sim", "unplug", "em0")
    with running(base) as daemon:
        daemon.wait_status("a reconcile in progress", lambda s: s["busy"])
        daemon.signal(signal.SIGTERM)
        assert daemon.exit_code() == 0
        records = daemon.journal()
        assert len(records) == 1  # it finished, and started no other
        assert records[0]["converged"] is True
        assert "signal 15: finishing and exiting" in daemon.log()
        assert not daemon.socket.exists()
        assert read_status(Store(daemon.state_dir)) is None
        shown = daemon.cli("status", "--json")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["daemon"] is None
        assert daemon.pending_actions() == []
