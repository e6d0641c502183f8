"""The simulated host as an administrator sets laggroam up on it: /etc/rc.conf, sysrc,
``service devd restart``, ``service laggroam start|status|stop`` and ``sim install-laggroam``
(README "Daily use" runs the same steps; tests/test_readme.py runs README)."""

import contextlib
import io
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from laggroam_sim import cli as sim_cli
from laggroam_sim import localrc
from laggroam_sim.laptop import RC_CONF
from laggroam_sim.state import read_only
from paths import REPO

from laggroam.rc.rcconf import read_rc_conf

SAMPLE = REPO / "conf" / "laggroam.ini.sample"
POLICY = "usr/local/etc/laggroam/laggroam.ini"


def sim(sim_dir: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = sim_cli.main(list(argv), sim_dir)
    return code, out.getvalue(), err.getvalue()


def standin(sim_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(sim_dir / "bin" / argv[0]), *argv[1:]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def laptop(tmp_path: Path) -> Iterator[Path]:
    sim_dir = tmp_path / "lab"
    assert sim(sim_dir, "init", "laptop")[0] == 0
    yield sim_dir
    pid = localrc.running_pid(sim_dir.resolve() / "root")
    if pid is not None:  # a failed test must not leave a daemon behind
        os.kill(pid, signal.SIGTERM)


def test_the_simulated_root_has_the_laptops_rc_conf(laptop: Path) -> None:
    rc = read_rc_conf([laptop / "root/etc/rc.conf"])
    assert {name: a.value for name, a in rc.variables.items()} == RC_CONF
    assert rc.skipped == ()


def test_sysrc_sets_a_variable_in_rc_conf_and_the_host(laptop: Path) -> None:
    done = standin(laptop, "sysrc", "laggroam_enable=YES")
    assert (done.returncode, done.stdout, done.stderr) == (0, "laggroam_enable:  -> YES\n", "")
    assert read_rc_conf([laptop / "root/etc/rc.conf"]).value("laggroam_enable") == "YES"
    assert read_only(laptop).rc_conf["laggroam_enable"] == "YES"
    asked = standin(laptop, "sysrc", "laggroam_enable", "nosuch")
    assert asked.stdout == "laggroam_enable: YES\n"
    assert (asked.returncode, asked.stderr) == (1, "sysrc: unknown variable 'nosuch'\n")


def test_install_without_a_policy_installs_the_sample_only(laptop: Path) -> None:
    code, out, _ = sim(laptop, "install-laggroam")
    assert code == 0 and "laggroam.ini.sample" in out
    root = laptop.resolve() / "root"
    assert (root / f"{POLICY}.sample").is_file()
    assert not (root / POLICY).exists()


def test_a_bad_policy_is_refused_naming_it_and_the_installed_one_kept(
    laptop: Path, tmp_path: Path
) -> None:
    assert sim(laptop, "install-laggroam", str(SAMPLE))[0] == 0
    bad = tmp_path / "bad.ini"
    bad.write_text("[lagg0]\nports = em0 wlan0\nproto = carp\n")
    code, out, err = sim(laptop, "install-laggroam", str(bad))
    assert (code, out) == (69, "")
    assert err.startswith(f"laggroam-sim: {bad}:3: [lagg0] proto")
    assert (laptop / "root" / POLICY).read_text() == SAMPLE.read_text()


def test_service_laggroam_as_rc_subr_runs_it(laptop: Path) -> None:
    assert standin(laptop, "service", "laggroam", "start").stdout.startswith(
        "laggroam does not exist in /etc/rc.d"
    )
    assert sim(laptop, "install-laggroam", str(SAMPLE))[0] == 0
    refused = standin(laptop, "service", "laggroam", "start")
    assert (refused.returncode, refused.stdout) == (
        0,
        "Cannot 'start' laggroam. Set laggroam_enable to YES in /etc/rc.conf or use"
        " 'onestart' instead of 'start'.\n",
    )
    assert standin(laptop, "sysrc", "laggroam_enable=YES").returncode == 0
    started = standin(laptop, "service", "laggroam", "start")
    assert (started.returncode, started.stdout, started.stderr) == (0, "Starting laggroam.\n", "")
    pid = localrc.running_pid(laptop.resolve() / "root")
    assert pid is not None
    status = standin(laptop, "service", "laggroam", "status")
    assert (status.returncode, status.stdout) == (0, f"laggroam is running as pid {pid}.\n")
    again = standin(laptop, "service", "laggroam", "start")
    assert (again.returncode, again.stderr) == (1, f"laggroam already running?  (pid={pid}).\n")
    stopped = standin(laptop, "service", "laggroam", "stop")
    assert stopped.returncode == 0
    assert stopped.stdout in (
        "Stopping laggroam.\n",
        f"Stopping laggroam.\nWaiting for PIDS: {pid}.\n",
    )
    assert localrc.running_pid(laptop.resolve() / "root") is None
    gone = standin(laptop, "service", "laggroam", "stop")
    assert (gone.returncode, gone.stderr) == (
        1,
        "laggroam not running? (check /var/run/laggroam.pid).\n",
    )


def test_a_sim_verb_starts_and_stops_the_daemon(laptop: Path) -> None:
    assert sim(laptop, "install-laggroam", str(SAMPLE))[0] == 0
    code, out, _ = sim(laptop, "daemon", "start")
    assert (code, out) == (0, "Starting laggroam.\n")
    code, out, _ = sim(laptop, "daemon", "status")
    assert code == 0 and out.startswith("laggroam is running as pid ")
    code, out, _ = sim(laptop, "daemon", "stop")
    assert code == 0 and out.startswith("Stopping laggroam.\n")
    assert sim(laptop, "daemon", "status")[:2] == (1, "laggroam is not running.\n")


def test_service_devd_restart_hands_the_events_to_the_simulated_devd(laptop: Path) -> None:
    assert standin(laptop, "service", "devd", "stop").stdout == "Stopping devd.\n"
    assert not read_only(laptop).devd
    done = standin(laptop, "service", "devd", "restart")
    assert (done.returncode, done.stdout) == (0, "Stopping devd.\nStarting devd.\n")
    assert read_only(laptop).devd
