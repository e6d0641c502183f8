"""``laggroam check --rc-conf`` and ``laggroam init --from-rc-conf`` on the seed's rc.conf."""

from pathlib import Path

import pytest

from laggroam import policy
from laggroam.cli import main

SEED_RC = (
    'ifconfig_nfe0="DHCP"\n'
    'ifconfig_ndis0="WPA DHCP"\n'
    'cloned_interfaces="lagg0"\n'
    'ifconfig_lagg0="laggproto failover laggport ndis0 laggport nfe0 DHCP"\n'
)


@pytest.fixture
def rc(tmp_path: Path) -> Path:
    path = tmp_path / "rc.conf"
    path.write_text(SEED_RC)
    return path


def test_check_warns_with_file_line_and_exits_0(
    rc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["-c", str(tmp_path / "none.ini"), "check", "--rc-conf", str(rc)])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"{rc}:1: DHCP on nfe0, a port of lagg0")
    assert lines[1].startswith(f"{rc}:2: DHCP on ndis0, a port of lagg0")
    assert lines[2].startswith(f"{rc}:4: lagg0 adds the wireless ndis0 before the wired nfe0")


def test_check_lagg_without_ports_exits_78(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = tmp_path / "rc.conf"
    rc.write_text('cloned_interfaces="lagg0"\nifconfig_lagg0="laggproto failover DHCP"\n')
    assert main(["-c", str(tmp_path / "none.ini"), "check", "--rc-conf", str(rc)]) == 78


def test_check_missing_rc_conf_exits_66(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--rc-conf", str(tmp_path / "nope")]) == 66


def test_init_writes_a_valid_policy_and_recommends_sysrc(
    rc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_path = tmp_path / "laggroam.ini"
    assert main(["init", "--from-rc-conf", str(rc), "-o", str(out_path)]) == 0
    out, _ = capsys.readouterr()
    generated = policy.load(out_path)
    assert generated.laggs[0].ports == ("nfe0", "ndis0")
    assert generated.laggs[0].dhcp is True
    assert f'sysrc -f {rc} ifconfig_nfe0="up"' in out.splitlines()
    assert main(["check", "-c", str(out_path)]) == 0


def test_init_refuses_to_overwrite_without_force(
    rc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_path = tmp_path / "laggroam.ini"
    out_path.write_text("# mine\n")
    assert main(["init", "--from-rc-conf", str(rc), "-o", str(out_path)]) == 73
    assert out_path.read_text() == "# mine\n"
    assert main(["init", "--from-rc-conf", str(rc), "-o", str(out_path), "-f"]) == 0
    assert policy.load(out_path).laggs[0].name == "lagg0"


def test_init_wireless_first_keeps_rc_order(
    rc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_path = tmp_path / "laggroam.ini"
    assert main(["init", "--from-rc-conf", str(rc), "-o", str(out_path), "--wireless-first"]) == 0
    assert policy.load(out_path).laggs[0].ports == ("ndis0", "nfe0")
