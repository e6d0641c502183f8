"""``plan`` and ``status`` never say all is well while laggroam waits: retries in back-off,
wpa_supplicant restarts and give-ups are shown in text and JSON, and a capture that does
not show a lagg is not called a match."""

import json
import time
from pathlib import Path

import pytest
from booted import booted_laptop
from paths import IFCONFIG_FIXTURES, REPO

from laggroam.admin.cli import main
from laggroam.core.memory import Failure, Memory, WlanMemory
from laggroam.edge.store import Store

SAMPLE = REPO / "conf" / "laggroam.ini.sample"
HEALTHY = IFCONFIG_FIXTURES / "lagg-failover-em0-wlan0-11.0.txt"
DROPPED = IFCONFIG_FIXTURES / "lagg-failover-em0-wlan0-port-missing-15.txt"
ERROR = "ifconfig lagg0 laggport wlan0: exit 1: ifconfig: SIOCSLAGGPORT: Device busy"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def policy_with_state(tmp_path: Path) -> tuple[Path, Store]:
    """The sample policy with its state directory in ``tmp_path``."""
    state = tmp_path / "state"
    text = SAMPLE.read_text().replace("[lagg0]", f"[daemon]\nstate_dir = {state}\n\n[lagg0]", 1)
    pol = tmp_path / "laggroam.ini"
    pol.write_text(text)
    return pol, Store(state)


def waiting_memory(now: float) -> Memory:
    return Memory(
        failures={"AddLaggPort lagg0 wlan0": Failure(2, now + 120, ERROR)},
        wlans={"wlan0": WlanMemory(present=True, restarts=5, gave_up=True)},
    )


def test_capture_without_the_lagg_is_not_a_match(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["plan", "-c", str(SAMPLE), "--from-ifconfig", "/dev/null"], capsys)
    assert code == 0
    assert "matches" not in out
    assert out.splitlines()[0] == "nothing planned: the capture does not show lagg0"
    code, out, _ = run(
        ["plan", "-c", str(SAMPLE), "--from-ifconfig", "/dev/null", "--json"], capsys
    )
    assert json.loads(out)["not_shown"] == ["lagg0"]


def test_plan_shows_a_retry_in_back_off_and_its_timer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pol, store = policy_with_state(tmp_path)
    store.ensure()
    store.save_memory(waiting_memory(time.time()))
    code, out, _ = run(["plan", "-c", str(pol), "--from-ifconfig", str(DROPPED)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert "matches" not in out
    assert lines[0] == "nothing to do now: laggroam waits for what the lines below say"
    assert any("ifconfig lagg0 laggport wlan0: failed 2 time(s)" in line for line in lines)
    assert any(line.startswith("timer: the next reconcile is due in 1") for line in lines)
    code, out, _ = run(["plan", "-c", str(pol), "--from-ifconfig", str(DROPPED), "--json"], capsys)
    doc = json.loads(out)
    assert doc["actions"] == [] and doc["wake_at"] is not None
    retry = doc["waiting"]["retrying"]["AddLaggPort lagg0 wlan0"]
    assert retry["count"] == 2 and retry["last_error"] == ERROR
    assert 100 < retry["next_try_in"] <= 120


def test_plan_does_not_call_a_give_up_a_match(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pol, store = policy_with_state(tmp_path)
    store.ensure()
    store.save_memory(Memory(wlans={"wlan0": WlanMemory(present=True, restarts=5, gave_up=True)}))
    _, out, _ = run(["plan", "-c", str(pol), "--from-ifconfig", str(HEALTHY)], capsys)
    assert "matches" not in out
    _, out, _ = run(["plan", "-c", str(pol), "--from-ifconfig", str(HEALTHY), "--json"], capsys)
    assert json.loads(out)["waiting"]["gave_up"] == ["wlan0"]


@pytest.fixture(scope="module")
def laptop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return booted_laptop(tmp_path_factory)


def test_status_without_a_policy_says_so(laptop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--sim", str(laptop), "status"], capsys)
    assert code == 0
    policy = laptop.resolve() / "root/usr/local/etc/laggroam/laggroam.ini"
    assert f"warning: no policy at {policy}: nothing to compare the host with" in out
    code, out, _ = run(["--sim", str(laptop), "status", "--json"], capsys)
    assert json.loads(out)["policy"] == {
        "path": str(policy),
        "used": False,
        "problem": f"no policy at {policy}: nothing to compare the host with",
    }


def test_status_flags_the_mac_and_what_laggroam_waits_for(
    laptop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pol, store = policy_with_state(tmp_path)
    # On a simulated host the state directory is under its root, as every product path.
    store = Store(laptop.resolve() / "root" / str(store.dir).lstrip("/"))
    store.ensure()
    store.save_memory(waiting_memory(time.time()))
    code, out, _ = run(["--sim", str(laptop), "status", "-c", str(pol)], capsys)
    assert code == 0
    lines = out.splitlines()
    # The booted laptop's lagg0 wears em0's MAC; the sample policy wants wlan0's.
    mac = [line for line in lines if " wears " in line]
    assert len(mac) == 1 and mac[0].startswith("warning: lagg0 wears b8:8a:60:de:c4:1b, ")
    retry = next(line for line in lines if line.startswith("retrying: AddLaggPort lagg0 wlan0"))
    assert "failed 2 time(s), next try in 1" in retry and retry.endswith(f"; last: {ERROR}")
    assert any(line.startswith("gave up: wpa_supplicant on wlan0") for line in lines)
    code, out, _ = run(["--sim", str(laptop), "status", "-c", str(pol), "--json"], capsys)
    doc = json.loads(out)
    wanted = mac[0].split("the policy wants ", 1)[1].split(";", 1)[0]
    assert doc["ether_wanted"] == {"lagg0": wanted}
    waiting = doc["reconcile"]["waiting"]
    assert waiting["gave_up"] == ["wlan0"]
    assert waiting["retrying"]["AddLaggPort lagg0 wlan0"]["count"] == 2


def test_a_port_left_alone_is_not_a_match(
    laptop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # em0 typed as em1: the host's em0 is left alone in lagg0, which is no match.
    text = SAMPLE.read_text().replace("ports = em0 wlan0", "ports = em1 wlan0")
    pol = tmp_path / "typo.ini"
    pol.write_text(text.replace("ether = wlan0", "ether = keep"))
    code, out, _ = run(["--sim", str(laptop), "plan", "-c", str(pol)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "nothing to do: laggroam leaves alone what the notes below say"
    assert any(line.startswith("note: lagg0 has port em0") for line in lines)
