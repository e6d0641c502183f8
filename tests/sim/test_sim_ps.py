"""The simulated host's pidfiles and its ps, as rc.subr and laggroam read them."""

from pathlib import Path

import pytest
from laggroam_sim import standin
from laggroam_sim.cli import main


@pytest.fixture
def laptop(tmp_path: Path) -> Path:
    assert main(["init", "laptop"], tmp_path) == 0
    return tmp_path


def run(sim_dir: Path, prog: str, *argv: str) -> tuple[int, str, str]:
    done = standin.execute(prog, list(argv), sim_dir)
    return done.status, done.out, done.err


def pid_of(sim_dir: Path, pidfile: str) -> int:
    return int((sim_dir / "root" / pidfile.lstrip("/")).read_text().split()[0])


def test_pidfiles_are_files_under_the_simulated_root(laptop: Path) -> None:
    lagg0 = pid_of(laptop, "/var/run/dhclient/dhclient.lagg0.pid")
    wlan0 = pid_of(laptop, "/var/run/wpa_supplicant/wlan0.pid")
    assert (laptop / "root/var/run/dhclient/dhclient.lagg0.pid").read_text() == f"{lagg0}\n"
    status, out, err = run(
        laptop, "ps", "-ww", "-o", "pid=", "-o", "jid=", "-o", "command=", "-p", f"{lagg0},{wlan0}"
    )
    assert (status, err) == (0, "")
    lines = sorted(out.splitlines())
    assert f"{lagg0:5d}   0 dhclient: lagg0 (dhclient)" in lines
    assert any(line.split()[:3] == [str(wlan0), "0", "/usr/sbin/wpa_supplicant"] for line in lines)
    run(laptop, "service", "dhclient", "forcestop", "lagg0")
    assert not (laptop / "root/var/run/dhclient/dhclient.lagg0.pid").exists()


def test_a_crashed_supplicant_leaves_its_pidfile_and_ps_no_process(laptop: Path) -> None:
    wlan0 = pid_of(laptop, "/var/run/wpa_supplicant/wlan0.pid")
    assert main(["wpa", "kill", "wlan0"], laptop) == 0
    assert pid_of(laptop, "/var/run/wpa_supplicant/wlan0.pid") == wlan0
    assert run(laptop, "ps", "-o", "pid=", "-p", str(wlan0)) == (1, "", "")


def test_ps_headers_selection_and_errors(laptop: Path) -> None:
    status, out, _ = run(laptop, "ps", "-ax", "-o", "pid,comm")
    assert status == 0
    assert out.splitlines()[0] == "  PID COMMAND"
    assert {line.split()[1] for line in out.splitlines()[1:]} == {"dhclient", "wpa_supplicant"}
    assert run(laptop, "ps", "-p", "x1") == (1, "", "ps: Invalid process id: x1\n")
    assert run(laptop, "ps", "-o", "nope")[2] == "ps: nope: keyword not found\n"
    assert run(laptop, "ps", "-o", "pid=")[0] == 1  # no tty, no -x: nothing selected
