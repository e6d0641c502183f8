"""``laggroam plan --event`` on a converged simulated laptop: a prediction, said to be one."""

import contextlib
import io
import json
from pathlib import Path

import pytest
from laggroam_sim import cli as sim_cli
from laggroam_sim.laptop import IWN0_MAC

from laggroam.admin.cli import main

POLICY = """
[lagg0]
ports = em0 wlan0
ether = wlan0
renew_dhcp = on-failover
[wlan0]
parent = iwn0
wpa = yes
"""


@pytest.fixture(scope="module")
def converged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The Handbook laptop with the rc.conf fix: lagg0 wears wlan0's MAC from boot."""
    sim_dir = tmp_path_factory.mktemp("laptop")
    with contextlib.redirect_stdout(io.StringIO()):
        rc = f"ifconfig_em0=ether {IWN0_MAC} up"
        assert sim_cli.main(["init", "laptop", "--rc", rc], sim_dir) == 0
    policy = sim_dir / "laggroam.ini"
    policy.write_text(POLICY)
    return sim_dir, policy


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


def test_converged_laptop_needs_nothing(
    converged: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sim_dir, policy = converged
    code, out = run(["--sim", str(sim_dir), "-c", str(policy), "plan"], capsys)
    assert code == 0 and out == "nothing to do: the host matches the policy\n"


def test_link_down_predicts_the_renewal_with_its_reason(
    converged: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sim_dir, policy = converged
    argv = ["--sim", str(sim_dir), "-c", str(policy), "plan", "--event", "LINK_DOWN em0"]
    code, out = run(argv, capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("prediction, not an observation: what laggroam would do after")
    assert "assumed: em0 loses its link; lagg0 sends on wlan0" in out
    assert "1. service dhclient forcerestart lagg0" in lines
    assert "because traffic moved from em0 to wlan0 (failover)" in out


def test_attach_predicts_the_re_add(
    converged: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sim_dir, policy = converged
    argv = ["--sim", str(sim_dir), "-c", str(policy), "plan", "--event", "ATTACH wlan0"]
    code, out = run(argv, capsys)
    assert code == 0
    assert "1. ifconfig lagg0 laggport wlan0" in out.splitlines()
    assert "a new instance of wlan0" in out


def test_json_carries_the_predicted_snapshot(
    converged: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sim_dir, policy = converged
    argv = ["--sim", str(sim_dir), "-c", str(policy), "plan", "--json", "--event", "LINK_DOWN em0"]
    code, out = run(argv, capsys)
    doc = json.loads(out)
    assert code == 0
    prediction = doc["prediction"]
    assert prediction["events"] == ["LINK_DOWN em0"]
    assert prediction["host"]["laggs"]["lagg0"]["active"] == "wlan0"
    assert prediction["host"]["interfaces"]["em0"]["status"] == "no carrier"
    assert [a["action"] for a in doc["actions"]] == ["RenewDhcp"]
    # without an event there is no prediction
    code, out = run(["--sim", str(sim_dir), "-c", str(policy), "plan", "--json"], capsys)
    assert json.loads(out)["prediction"] is None
