"""Policy hot reload: saved by rename it is in force at once; a bad one is refused."""

import signal
import time
from pathlib import Path

from daemonhelp import DOWN_EM0, POLICY, UP_EM0, Daemon, running, save_by_rename, sim
from laggroam_sim.state import read_only

NEVER_RENEW = POLICY.replace("proto = failover", "proto = failover\nrenew_dhcp = never")
BAD_LINE = NEVER_RENEW.splitlines().index("renew_dhcp = never") + 1
BAD = NEVER_RENEW.replace("renew_dhcp = never", "renew_dhcp = sometimes")
# How fast a save is in force is measured in bench/reload.py; here only that it is.


def save_and_wait(daemon: Daemon, text: str, generation: int) -> float:
    """Save by rename; seconds until the status shows policy ``generation``."""
    started = time.monotonic()
    save_by_rename(daemon.policy_path, text)
    daemon.wait_status(f"policy generation {generation}", lambda s: s["generation"] == generation)
    return time.monotonic() - started


def test_rename_save_then_invalid_then_fixed(daemon: Daemon) -> None:
    gen = daemon.wait_ready()["generation"]

    # A new valid policy: in force within the debounce, and it steers the next reconcile.
    save_and_wait(daemon, NEVER_RENEW, gen + 1)
    sim(daemon.sim_dir, "unplug", "em0")
    n = len(daemon.journal())
    daemon.send(DOWN_EM0)
    records = daemon.wait_journal(
        "the LINK_DOWN reconcile",
        lambda r: any("LINK_DOWN em0" in x["events"] for x in r[n:]),
    )
    failover = next(x for x in records[n:] if "LINK_DOWN em0" in x["events"])
    assert failover["actions"] == []  # renew_dhcp = never: no forcerestart this time
    assert failover["converged"] is True

    # An invalid one: refused with FILE:LINE, in the status and the log; the old one stays.
    save_by_rename(daemon.policy_path, BAD)
    status = daemon.wait_status("the rejection", lambda s: bool(s["rejected"]))
    where = f"{daemon.policy_path}:{BAD_LINE}: [lagg0] renew_dhcp: 'sometimes'"
    assert status["rejected"][0].startswith(where)
    assert status["generation"] == gen + 1
    assert f"policy rejected, keeping the last good one: {where}" in daemon.log()
    shown = daemon.cli("status")  # what a user sees: the policy in force and the rejected one
    assert f"daemon: running (pid {daemon.pid})" in shown.stdout
    assert f"  policy    {daemon.policy_path} (generation {gen + 1})" in shown.stdout
    assert f"  rejected  {where}" in shown.stdout

    # ... and keeps working: the cable comes back, the reconcile follows the old policy.
    sim(daemon.sim_dir, "plug", "em0")
    n = len(daemon.journal())
    daemon.send(UP_EM0)
    records = daemon.wait_journal("the LINK_UP reconcile", lambda r: len(r) > n)
    assert records[-1]["converged"] is True
    assert daemon.active_when_converged(NEVER_RENEW) == "em0"

    # Fixed: accepted, and the rejection is gone.
    save_and_wait(daemon, POLICY, gen + 2)
    assert daemon.status() is not None
    assert daemon.wait_status("no rejection", lambda s: s["rejected"] == [])["laggs"] == {
        "lagg0": ["em0", "wlan0"]
    }


def test_sighup_reloads_without_waiting_for_the_watch(base: Path) -> None:
    # A long debounce: the watch would reload 30 s after the save, SIGHUP at once.
    slow = POLICY.replace("debounce = 100ms\nmax_delay = 1s", "debounce = 30s\nmax_delay = 30s")
    (base / "pol" / "laggroam.ini").write_text(slow)
    with running(base) as daemon:
        gen = daemon.wait_ready()["generation"]
        # wpa_supplicant dies unannounced; the old policy would start it again.
        sim(daemon.sim_dir, "wpa", "kill", "wlan0")
        save_by_rename(daemon.policy_path, slow.replace("wpa = yes", "wpa = no"))
        started = time.monotonic()
        daemon.signal(signal.SIGHUP)
        status = daemon.wait_status("the SIGHUP reload", lambda s: s["generation"] == gen + 1)
        assert time.monotonic() - started < 10
        assert status["rejected"] == []
        assert "SIGHUP: reloading the policy" in daemon.log()
        # ... and reconciles under it at once, not after the 30 s debounce.
        records = daemon.wait_journal("the reload's reconcile", lambda r: len(r) >= 2)
        assert records[-1]["converged"] is True
        assert records[-1]["actions"] == []  # wpa = no is in force: nothing restarted
        assert "wlan0" not in read_only(daemon.sim_dir).supplicants
