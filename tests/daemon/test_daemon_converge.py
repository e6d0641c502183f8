"""The daemon on a simulated host: events in, the host converges; a crash loses nothing."""

import signal
import subprocess
from pathlib import Path

from daemonhelp import DOWN_EM0, WAIT, Daemon, running, sim, wait_for
from laggroam_sim.state import read_only

from laggroam.exitcodes import EX_CANTCREAT, EX_UNAVAILABLE


def test_kill_9_mid_reconcile_then_restart_converges(base: Path) -> None:
    # A host that needs several actions: wpa_supplicant died, the cable is out,
    # and lagg0 still wears em0's MAC.
    sim(base / "sim", "wpa", "kill", "wlan0")
    sim(base / "sim", "unplug", "em0")
    mac_before = read_only(base / "sim").interfaces["lagg0"].mac

    with running(base) as first:
        # Kill it as soon as the first action took effect: mid-reconcile.
        wait_for(
            "lagg0's MAC to change",
            lambda: read_only(base / "sim").interfaces["lagg0"].mac != mac_before,
        )
        first.signal(signal.SIGKILL)
        assert first.exit_code() == -signal.SIGKILL
        assert first.journal() == []  # the reconcile never finished
        assert first.socket.exists()  # a crash leaves its socket file behind

    with running(base) as second:
        second.wait_ready()
        assert "removed a stale socket" in second.log()
        records = second.journal()
        assert records[-1]["converged"] is True
        assert second.active_when_converged() == "wlan0"
        assert "wlan0" in read_only(base / "sim").supplicants


def test_second_daemon_refuses_the_first_converges_the_host(daemon: Daemon) -> None:
    daemon.wait_ready()
    # The seed's laptop wears em0's MAC; the first reconcile gave lagg0 wlan0's.
    first = daemon.journal()
    assert [a["command"].split()[:3] for a in first[0]["actions"]] == [
        ["ifconfig", "lagg0", "ether"]
    ]
    n = len(first)

    other = Daemon(daemon.base)
    proc = subprocess.run(other.argv(), capture_output=True, text=True, timeout=WAIT, check=False)
    assert proc.returncode == EX_UNAVAILABLE
    assert f"another laggroam daemon is running (pid {daemon.pid}," in proc.stderr
    assert (daemon.state_dir / "daemon.pid").read_text() == f"{daemon.pid}\n"

    # The first one still owns its socket: a hook's message makes the host converge.
    sim(daemon.sim_dir, "unplug", "em0")
    daemon.send(DOWN_EM0)
    records = daemon.wait_journal("the LINK_DOWN reconcile", lambda r: len(r) > n)
    assert records[n]["events"] == ["LINK_DOWN em0"]
    assert [a["command"] for a in records[n]["actions"]] == ["service dhclient forcerestart lagg0"]
    assert records[n]["converged"] is True
    assert daemon.active_when_converged() == "wlan0"


def test_something_else_at_the_socket_path_is_left_alone(base: Path) -> None:
    d = Daemon(base)
    d.socket.parent.mkdir(parents=True, exist_ok=True)
    d.socket.write_text("not a socket\n")
    proc = subprocess.run(d.argv(), capture_output=True, text=True, timeout=WAIT, check=False)
    assert proc.returncode == EX_CANTCREAT
    assert f"{d.socket}: exists and is not a socket; not touched" in proc.stderr
    assert d.socket.read_text() == "not a socket\n"
