"""The last good policy survives a bad save and a restart: the daemon and the hooks'
one-shots run on its copy in the state directory and say so; ``check`` never does."""

import hashlib
import json
import signal
from pathlib import Path

from daemonhelp import POLICY, Daemon, save_by_rename

from laggroam.exitcodes import EX_CONFIG

BAD = POLICY.replace("proto = failover", "proto = sometimes")


def test_a_restart_on_a_bad_file_runs_on_the_last_good_copy(base: Path) -> None:
    d = Daemon(base).start()
    try:
        d.wait_ready()
        saved = d.state_dir / "policy.good.json"
        record = json.loads(saved.read_text())
        assert record["sha256"] == hashlib.sha256(POLICY.encode()).hexdigest()
        assert record["source"] == str(d.policy_path)
        assert record["source_mtime"] == d.policy_path.stat().st_mtime
        assert (saved.stat().st_mode & 0o777) == 0o600
        save_by_rename(d.policy_path, BAD)
        d.wait_status("the rejection", lambda s: bool(s["rejected"]))
        d.signal(signal.SIGTERM)
        assert d.exit_code() == 0
        # The copy is still the good policy: a rejected file never replaces it.
        assert json.loads(saved.read_text())["sha256"] == record["sha256"]
    finally:
        d.stop()

    d = Daemon(base).start()
    try:
        status = d.wait_ready()
        assert status["last_good"]["sha256"] == record["sha256"]
        assert "proto: 'sometimes'" in status["rejected"][0]
        assert "running on the last good policy" in d.log()
        assert "POLICY FILE REFUSED: running on the last good copy" in d.cli("status").stdout
        # A hook's one-shot reconciles on the copy too, and says why.
        d.signal(signal.SIGTERM)
        assert d.exit_code() == 0
        applied = d.cli("apply")
        assert applied.returncode != EX_CONFIG, applied.stderr
        assert "running on the last good policy" in applied.stderr
        # check judges the file alone.
        assert d.cli("check").returncode == EX_CONFIG
    finally:
        d.stop()

    d = Daemon(base).start()
    try:
        d.wait_ready()
        save_by_rename(d.policy_path, POLICY)  # fixed: the copy is no longer used
        d.wait_status("the good file in force", lambda s: s["last_good"] is None)
        assert "is good again" in d.log()
    finally:
        d.stop()


def test_without_a_copy_a_bad_file_still_stops_the_daemon(base: Path) -> None:
    d = Daemon(base, policy_text=BAD).start()
    try:
        assert d.exit_code() == EX_CONFIG
    finally:
        d.stop()
