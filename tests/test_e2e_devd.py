"""End to end on the simulator: world change -> kernel -> devd -> hook -> one-shot reconcile.

No daemon runs, so every hook falls back to a detached ``laggroam apply
--coalesce --devd LINE``; the tests wait (with a deadline) until devd is idle,
no reconcile holds the lock and a plan over the host is empty.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from laggroam_sim import devd, journal, laggports
from laggroam_sim.cli import main
from laggroam_sim.converge import wait_settled
from laggroam_sim.laptop import IWN0_MAC
from laggroam_sim.model import SimState
from laggroam_sim.state import read_only
from paths import REPO

SAMPLE = REPO / "conf" / "laggroam.ini.sample"
STATE_DIR = "root/var/db/laggroam"
DEADLINE = 60.0


def sim(sim_dir: Path, *argv: str) -> None:
    assert main(list(argv), sim_dir) == 0


def settle(sim_dir: Path) -> SimState:
    assert wait_settled(sim_dir, DEADLINE) == []
    return read_only(sim_dir)


def reconciles(sim_dir: Path) -> list[dict[str, Any]]:
    path = sim_dir / STATE_DIR / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """The seed's laptop with laggroam installed from the sample policy, converged."""
    sim(tmp_path, "init", "laptop")
    sim(tmp_path, "install-laggroam", str(SAMPLE))
    # the first reconcile, as "service laggroam start" or a user's "laggroam apply" does
    laggroam = Path(sys.executable).with_name("laggroam")
    subprocess.run([laggroam, "--sim", tmp_path, "apply"], check=True, timeout=DEADLINE)
    state = settle(tmp_path)
    assert state.interfaces["lagg0"].mac == IWN0_MAC  # ether = wlan0
    return tmp_path


def active(state: SimState) -> str | None:
    return laggports.active_port(state, state.interfaces["lagg0"])


def test_unplug_fails_over_through_devd_and_the_hook_returns_first(installed: Path) -> None:
    mark, mark_reconciles = journal.last_seq(installed), len(reconciles(installed))
    sim(installed, "unplug", "em0")
    state = settle(installed)
    assert active(state) == "wlan0"
    assert state.interfaces["lagg0"].inet[0].addr.startswith("192.168.1.")  # home, via the AP
    (link_down,) = [d for d in devd.read_log(installed) if d.seq > mark and "em0" in d.line]
    assert link_down.line == "!system=IFNET subsystem=em0 type=LINK_DOWN"
    assert link_down.rule is not None and link_down.rule.endswith("/devd/laggroam.conf:21")
    assert link_down.statuses == (0,)
    assert link_down.held > 0  # recorded
    # the reconcile that moved lagg0 (its event may have been coalesced into a
    # follow-up); "time" is written when it ends: devd had its hook back before
    failover = [r for r in reconciles(installed)[mark_reconciles:] if r["actions"]]
    assert failover
    assert link_down.started + link_down.held < failover[0]["time"]


def test_resume_keeps_wlan0_in_lagg0_and_keeps_rc_resume(installed: Path) -> None:
    sim(installed, "unplug", "em0")
    settle(installed)
    index = read_only(installed).interfaces["wlan0"].index
    sim(installed, "suspend")
    sim(installed, "resume")
    state = settle(installed)
    # iwn resumes its vap in place (sys/dev/iwn/if_iwn.c iwn_resume)
    assert state.interfaces["wlan0"].index == index
    assert state.interfaces["lagg0"].ports == ["em0", "wlan0"]
    assert active(state) == "wlan0"
    assert state.supplicants["wlan0"].state == "COMPLETED"
    assert state.interfaces["lagg0"].inet
    resume = [d for d in devd.read_log(installed) if "subsystem=Resume" in d.line]
    assert resume[-1].commands[0].split()[0].endswith("/usr/local/libexec/laggroam/power")
    # laggroam's power rule shadows the stock rc.resume rule; chaining still ran it
    assert "acpi: resumed (rc.resume acpi 0x03)" in state.log


def test_a_late_radio_joins_lagg0(installed: Path) -> None:
    mark = len(reconciles(installed))
    sim(installed, "late-attach", "iwn0")
    state = settle(installed)
    assert state.interfaces["lagg0"].ports == ["em0", "wlan0"]
    assert state.interfaces["wlan0"].bssid is not None
    assert state.interfaces["lagg0"].mac == IWN0_MAC
    done = [a["command"] for r in reconciles(installed)[mark:] for a in r["actions"]]
    # rc could not add wlan0 at boot: it did not exist yet; laggroam did once it did
    assert "ifconfig lagg0 laggport wlan0" in done


def em0_service_calls(sim_dir: Path, mark: int) -> list[list[str]]:
    return [
        c.argv
        for c in read_only(sim_dir).write_calls[mark:]
        if c.prog == "service" and "em0" in c.argv
    ]


def test_link_up_on_em0_still_runs_dhclient_quietstart_as_without_laggroam(
    tmp_path: Path,
) -> None:
    stock, mine = tmp_path / "stock", tmp_path / "mine"
    sim(stock, "init", "laptop")
    sim(stock, "devd", "start")
    sim(mine, "init", "laptop")
    sim(mine, "install-laggroam", str(SAMPLE))
    for host in (stock, mine):
        sim(host, "unplug", "em0")
    settle(mine)
    marks = {host: len(read_only(host).write_calls) for host in (stock, mine)}
    for host in (stock, mine):
        sim(host, "plug", "em0")
    settle(mine)  # the stock host is done: devd waited for every action
    without = em0_service_calls(stock, marks[stock])
    assert without == [["dhclient", "quietstart", "em0"]]
    assert em0_service_calls(mine, marks[mine]) == without
    # and in the laggroam host it was laggroam's hook that devd ran
    link_up = [d for d in devd.read_log(mine) if d.line.endswith("subsystem=em0 type=LINK_UP")]
    assert "/libexec/laggroam/link " in link_up[-1].commands[0]


def test_rc_resume_runs_only_the_rc_d_scripts_with_the_resume_keyword(installed: Path) -> None:
    # libexec/rc/rc.resume: run_rc_script for "rcorder -k resume" scripts only
    from laggroam_sim import standin

    marker = installed / "resumed-by-rc"
    probe = installed / "root/usr/local/etc/rc.d/probe"
    probe.write_text(
        "#!/bin/sh\n# PROVIDE: probe\n# KEYWORD: resume\n. /etc/rc.subr\nname=probe\n"
        f'resume_cmd="probe_resume"\nprobe_resume()\n{{\n\t/usr/bin/touch {marker}\n}}\n'
        'run_rc_command "$1"\n'
    )
    sim(installed, "devd", "stop")
    before = len(reconciles(installed))
    assert standin.execute("rc.resume", ["acpi", "3"], installed).status == 0
    assert marker.exists()
    state = settle(installed)
    assert any(line.endswith("/usr/local/etc/rc.d/probe resume: /usr/bin/touch exit 0")
               for line in state.log)  # fmt: skip
    # laggroam's script has no resume keyword: rc.resume, which laggroam's
    # power rule chains to, must not call laggroam back (that would loop)
    assert not any("rc.d/laggroam" in line for line in state.log)
    assert len(reconciles(installed)) == before
