"""``laggroam check`` knows the host: ports, radios and laggs the policy names that the host
(or a captured ``ifconfig -a``) lacks are warnings at the policy's FILE:LINE; exit 0 unless
``--strict``."""

import subprocess
from pathlib import Path

import pytest
from booted import booted_laptop
from paths import IFCONFIG_FIXTURES, REPO

from laggroam.admin.cli import main

SAMPLE = REPO / "conf" / "laggroam.ini.sample"
HEALTHY = IFCONFIG_FIXTURES / "lagg-failover-em0-wlan0-11.0.txt"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line == text)


def sample_with(tmp_path: Path, *swaps: tuple[str, str]) -> Path:
    text = SAMPLE.read_text()
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "laggroam.ini"
    path.write_text(text)
    return path


def test_the_sample_on_its_own_laptop_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "-c", str(SAMPLE), "--from-ifconfig", str(HEALTHY)], capsys) == (
        0,
        "",
        "",
    )


def test_a_typo_in_a_port_is_a_warning_at_the_ports_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pol = sample_with(tmp_path, ("ports = em0 wlan0", "ports = em1 wlan0"))
    code, out, err = run(["check", "-c", str(pol), "--from-ifconfig", str(HEALTHY)], capsys)
    assert (code, out) == (0, "")
    line = line_of(pol, "ports = em1 wlan0")
    assert err == (
        f"{pol}:{line}: warning: port em1: the host has no interface em1 (did you mean em0?)\n"
    )
    code, _, err2 = run(
        ["check", "-c", str(pol), "--from-ifconfig", str(HEALTHY), "--strict"], capsys
    )
    assert (code, err2) == (78, err)


def test_a_lagg_the_host_lacks_is_a_warning_at_its_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pol = sample_with(tmp_path, ("[lagg0]", "[lagg1]"))
    code, _, err = run(["check", "-c", str(pol), "--from-ifconfig", str(HEALTHY)], capsys)
    assert code == 0
    assert err == (
        f"{pol}:{line_of(pol, '[lagg1]')}: warning: the host has no lagg1: laggroam would"
        " create it; the host has lagg0, which the policy does not name\n"
    )


def test_a_capture_that_is_not_ifconfig_output_exits_65(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "capture.txt"
    bad.write_text("this is not ifconfig\n")
    code, _, err = run(["check", "-c", str(SAMPLE), "--from-ifconfig", str(bad)], capsys)
    assert code == 65 and err.startswith(f"laggroam: {bad}:1: ")
    code, _, _ = run(["check", "-c", str(SAMPLE), "--from-ifconfig", str(tmp_path / "no")], capsys)
    assert code == 66


@pytest.fixture(scope="module")
def laptop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return booted_laptop(tmp_path_factory)


def test_online_check_observes_the_host_and_its_radios(
    laptop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--sim", str(laptop), "check", "-c", str(SAMPLE)], capsys) == (0, "", "")
    # A wlan the host does not have yet, on a radio it does not have: only the radio
    # is wrong (laggroam creates wlans), and only an observed host lists its radios.
    pol = sample_with(
        tmp_path,
        ("ports = em0 wlan0", "ports = em0 wlan1"),
        ("ether = wlan0", "ether = wlan1"),
        ("[wlan0]", "[wlan1]"),
        ("parent = iwn0", "parent = iwm0"),
    )
    code, _, err = run(["--sim", str(laptop), "check", "-c", str(pol)], capsys)
    assert code == 0, err
    assert err == (
        f"{pol}:{line_of(pol, 'parent = iwm0')}: warning: parent iwm0: the host has no radio"
        " iwm0 (did you mean iwn0?)\n"
    )
    code, _, _ = run(["--sim", str(laptop), "check", "-c", str(pol), "--strict"], capsys)
    assert code == 78
    code, _, err = run(["check", "-c", str(pol), "--from-ifconfig", str(HEALTHY)], capsys)
    assert (code, err) == (0, "")  # a capture lists no radios: it cannot prove one absent


def test_a_wlan_on_another_radio_is_a_warning_at_its_parent(
    laptop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capture = tmp_path / "ifconfig-a.txt"
    capture.write_text(
        subprocess.run(
            [str(laptop / "bin" / "ifconfig"), "-a"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    )
    assert run(["check", "-c", str(SAMPLE), "--from-ifconfig", str(capture)], capsys) == (
        0,
        "",
        "",
    )
    pol = sample_with(tmp_path, ("parent = iwn0", "parent = ath0"))
    code, _, err = run(["check", "-c", str(pol), "--from-ifconfig", str(capture)], capsys)
    assert code == 0
    assert err == (
        f"{pol}:{line_of(pol, 'parent = ath0')}: warning: parent ath0: wlan0 on the host"
        " is a wlan of iwn0\n"
    )


def test_a_wlan_section_for_a_wired_port_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``[em0] parent = ...`` would make laggroam run wpa_supplicant on the wired port."""
    pol = sample_with(tmp_path, ("[wlan0]", "[em0]"))
    capture = IFCONFIG_FIXTURES / "em-lo0-wlan-rtwn-vht-15.txt"
    code, _, err = run(["check", "-c", str(pol), "--from-ifconfig", str(capture)], capsys)
    assert code == 0
    assert f"{pol}:{line_of(pol, '[em0]')}: warning: em0 on the host is not wireless" in err
    assert "wpa_supplicant" in err
