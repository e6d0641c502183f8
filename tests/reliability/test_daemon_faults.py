"""Faults around a real daemon process on the simulated laptop: killed -9 in the middle of a
reconcile and restarted, one-shot applies racing it, devd events lost or out of order,
its pidfile and status file damaged.  After each, the host converges with nothing lost.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from daemonhelp import DOWN_EM0, POLICY, REPO, UP_EM0, WAIT, Daemon, new_laptop, sim, wait_for
from relhelp import Host

from laggroam.config import policy
from laggroam.core import plan
from laggroam.edge.reconcile import observe_for
from laggroam.edge.store import Store


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fault-laptop") / "sim"
    sim(path, "init", "laptop")
    return path


@pytest.fixture
def base(template: Path) -> Iterator[Path]:
    path = new_laptop(template)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def whole(d: Daemon) -> None:
    """Nothing lost: state and every journal line parse, no temporary file is left."""
    state = json.loads((d.state_dir / "state.json").read_text())
    assert state["version"] == 1
    lines = (d.state_dir / "journal.jsonl").read_text().splitlines()
    assert lines and all(isinstance(json.loads(line), dict) for line in lines)
    # The running daemon writes its status file atomically at any moment, so a
    # temporary file may exist for an instant; one that stays is litter.
    deadline = time.monotonic() + 60.0
    while litter := [p.name for p in d.state_dir.iterdir() if p.name.endswith(".tmp")]:
        assert time.monotonic() < deadline, litter
        time.sleep(0.05)


def converged(d: Daemon, active: str) -> None:
    """Nothing left to plan and ``active`` carries lagg0 (stand-ins run in this process)."""
    pol = policy.load(d.policy_path)
    system = Host(d.sim_dir, pol).system

    def probe() -> bool:
        host = observe_for(system, pol)
        memory = Store(d.state_dir).load_memory()
        actions = plan.plan(pol, host, memory, [], time.time()).actions
        return not actions and host.laggs()["lagg0"].active == active

    wait_for(f"converged with {active} active", probe)


def hold(d: Daemon, verb: str) -> Path:
    """Make ``service dhclient VERB`` hang while DIR/HOLD exists; it writes its pid first."""
    bin_dir = d.sim_dir / "bin"
    os.replace(bin_dir / "service", bin_dir / "service.real")
    entered = d.base / "entered"
    (bin_dir / "service").write_text(
        "#!/bin/sh\n"
        f'if [ "$2" = {verb} ] && [ -e {d.base}/HOLD ]; then\n'
        f"  echo $$ > {entered}.tmp && mv {entered}.tmp {entered}\n"
        "  exec sleep 60\n"
        "fi\n"
        f'exec {bin_dir}/service.real "$@"\n'
    )
    (bin_dir / "service").chmod(0o755)
    (d.base / "HOLD").touch()
    return entered


def test_fault_daemon_killed_9_mid_reconcile_and_restarted(base: Path) -> None:
    d = Daemon(base).start()
    held: int | None = None
    try:
        d.wait_ready()
        entered = hold(d, "forcerestart")
        sim(d.sim_dir, "unplug", "em0")
        d.send(DOWN_EM0)
        raw = wait_for(
            "the reconcile to reach its action", lambda: entered.exists() and entered.read_text()
        )
        held = int(raw)
        assert d.status() is not None and d.status()["busy"]  # type: ignore[index]
        os.kill(d.pid, signal.SIGKILL)
        assert d.exit_code() == -signal.SIGKILL
    finally:
        d.stop()
        if held is not None:
            os.kill(held, signal.SIGKILL)  # the hung child the killed daemon left behind
    (base / "HOLD").unlink()
    # Restarted: the stale socket and pidfile are taken over, the lost work redone.
    d2 = Daemon(base).start()
    try:
        d2.wait_ready()
        assert (d2.state_dir / "daemon.pid").read_text().strip() == str(d2.pid)
        converged(d2, "wlan0")
        whole(d2)
        assert "Traceback" not in d2.log()
    finally:
        d2.stop()


def _apply(d: Daemon, *extra: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "laggroam", "-c", str(d.policy_path), "--sim", str(d.sim_dir)]
    return subprocess.Popen(
        [*argv, "apply", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def test_fault_two_one_shot_applies_race_the_daemon(base: Path) -> None:
    d = Daemon(base).start()
    try:
        d.wait_ready()
        n = len(d.journal())
        sim(d.sim_dir, "unplug", "em0")
        procs = [_apply(d), _apply(d, "--coalesce", "--event", "LINK_DOWN em0")]
        d.send(DOWN_EM0)
        procs.append(_apply(d))
        for p in procs:
            _out, err = p.communicate(timeout=WAIT)
            assert p.returncode in (0, 75), err
            assert "Traceback" not in err
        d.wait_status("the daemon idle", lambda s: not s["busy"] and s["queue"] == 0)
        converged(d, "wlan0")
        whole(d)
        # One lease renewal for one failover, whoever did it: the lock serialised them.
        records = d.journal()[n:]
        renewals = [
            a
            for r in records
            for a in r["actions"]
            if a["command"] == "service dhclient forcerestart lagg0" and a["ok"]
        ]
        assert len(renewals) == 1, records
    finally:
        d.stop()


def test_fault_devd_events_lost_periodic_reconcile_catches_up(base: Path) -> None:
    text = POLICY.replace("interval = 0", "interval = 1s")
    d = Daemon(base, policy_text=text).start()
    try:
        d.wait_ready()
        sim(d.sim_dir, "unplug", "em0")  # and no hook ever tells the daemon
        d.wait_journal(
            "a periodic reconcile's renewal",
            lambda r: any(
                a["command"] == "service dhclient forcerestart lagg0" and not rec["events"]
                for rec in r
                for a in rec["actions"]
            ),
        )
        converged(d, "wlan0")
        whole(d)
    finally:
        d.stop()


def test_fault_devd_events_out_of_order(base: Path) -> None:
    d = Daemon(base).start()
    try:
        d.wait_ready()
        n = len(d.journal())
        sim(d.sim_dir, "unplug", "em0")
        sim(d.sim_dir, "plug", "em0")
        d.send(UP_EM0)  # UP before DOWN: the world says plugged
        d.send(DOWN_EM0)
        d.wait_journal("the reconcile", lambda r: len(r) > n)
        converged(d, "em0")
        whole(d)
    finally:
        d.stop()


def test_fault_damaged_pidfile_and_status_file(base: Path) -> None:
    d = Daemon(base)
    d.state_dir.mkdir(parents=True, exist_ok=True)
    (d.state_dir / "daemon.pid").write_bytes(b"\xff\xfe not a pid \x00\n" * 100)
    (d.state_dir / "daemon.json").write_bytes(b'{"pid": "x", "busy": [}')
    d.start()
    try:
        d.wait_ready()
        assert (d.state_dir / "daemon.pid").read_text() == f"{d.pid}\n"
        (d.state_dir / "daemon.json").write_bytes(b"\x00garbage")
        done = d.cli("status")
        assert "Traceback" not in done.stderr and done.returncode in (0, 75), done.stderr
        assert "daemon: running" in done.stdout
    finally:
        d.stop()


def test_fault_second_daemon_refused_first_unharmed(base: Path) -> None:
    d = Daemon(base).start()
    try:
        d.wait_ready()
        other = Daemon(base).start()
        assert other.exit_code() == 69
        assert "another laggroam daemon is running" in other.log()
        d.send(DOWN_EM0)
        d.wait_status("the first still serving", lambda s: s["accepted"] >= 1)
        assert Store(d.state_dir).read_journal()
    finally:
        d.stop()
