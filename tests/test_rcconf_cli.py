"""``laggroam check --rc-conf`` and ``laggroam init --from-rc-conf`` on the seed's rc.conf."""

from pathlib import Path

import pytest

from laggroam.admin.cli import main
from laggroam.config import policy

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
    # nfe0 joins first at boot: it must wear ndis0's MAC, which only the host can tell
    assert f'sysrc -f {rc} ifconfig_nfe0="ether <ndis0\'s MAC> up"' in out.splitlines()
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


# -- what the administrator meets first, and what is said when nothing is to change --


def test_init_says_the_policy_exists_before_any_finding(
    rc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "laggroam.ini"
    out.write_text("keep me\n")
    code = main(["init", "--from-rc-conf", str(rc), "-o", str(out)])
    _, err = capsys.readouterr()
    assert code == 73
    assert err == f"laggroam: {out}: exists; use -f to overwrite it\n"
    assert out.read_text() == "keep me\n"


def test_init_into_a_missing_directory_says_so_first(
    rc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "no" / "laggroam.ini"
    code = main(["init", "--from-rc-conf", str(rc), "-o", str(out)])
    stdout, err = capsys.readouterr()
    assert code == 73 and stdout == ""
    assert err.splitlines() == [
        f"laggroam: {out.parent}: no such directory (is laggroam installed?"
        " -o POLICY writes the policy elsewhere)"
    ]


def test_init_with_nothing_to_change_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = tmp_path / "rc.conf"
    rc.write_text(
        'ifconfig_em0="ether 20:0d:b0:c4:ab:59 up"\nwlans_iwn0="wlan0"\nifconfig_wlan0="WPA"\n'
        'cloned_interfaces="lagg0"\n'
        'ifconfig_lagg0="up laggproto failover laggport em0 laggport wlan0 DHCP"\n'
    )
    out = tmp_path / "laggroam.ini"
    code = main(["init", "--from-rc-conf", str(rc), "-o", str(out)])
    stdout, _ = capsys.readouterr()
    assert code == 0
    assert (
        stdout == f"# wrote {out}; rc.conf already agrees with it (laggroam never edits rc.conf)\n"
    )


def test_wireless_first_is_not_advised_against_once_chosen(
    rc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "laggroam.ini"
    assert main(["init", "--from-rc-conf", str(rc), "-o", str(out), "--wireless-first"]) == 0
    _, err = capsys.readouterr()
    assert "add nfe0 first" not in err
    assert policy.load(out).laggs[0].primary == "ndis0"
    assert main(["-c", str(out), "check", "--rc-conf", str(rc)]) == 0
    _, err = capsys.readouterr()
    assert "add nfe0 first" not in err
    # Without that choice in the policy, the advice stands.
    assert main(["-c", str(tmp_path / "none.ini"), "check", "--rc-conf", str(rc)]) == 0
    _, err = capsys.readouterr()
    assert "add nfe0 first" in err


def test_check_and_init_agree_on_unpaired_quotes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = tmp_path / "rc.conf"
    rc.write_text(SEED_RC + 'hostname="laptop\n')
    assert main(["-c", str(tmp_path / "none.ini"), "check", "--rc-conf", str(rc)]) == 78
    _, err = capsys.readouterr()
    assert f"{rc}:5: not understood, skipped: quotes do not pair up from here" in err
    assert main(["init", "--from-rc-conf", str(rc), "-o", str(tmp_path / "p.ini")]) == 78
    assert not (tmp_path / "p.ini").exists()
