"""``laggroam-sim --dir DIR VERB``: what each verb prints, and its exit codes."""

from pathlib import Path

import pytest
from laggroam_sim.cli import EX_UNAVAILABLE, EX_USAGE, main
from laggroam_sim.state import read_only


@pytest.fixture
def host(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["init", "laptop"], tmp_path) == 0
    capsys.readouterr()
    return tmp_path


def out_of(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_init_reports_the_boot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "laptop", "--release", "11.0"], tmp_path) == 0
    lines = out_of(capsys)
    assert "booted FreeBSD 11.0 as rc.conf says" in lines
    assert "devd: !system=IFNET subsystem=lagg0 type=LINK_UP" in lines
    assert read_only(tmp_path).release == "11.0"


def test_verbs_print_changes_and_devd_events(
    host: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["detach", "iwn0"], host) == 0
    lines = out_of(capsys)
    assert "lagg0 -laggport wlan0" in lines
    assert "devd: !system=IFNET subsystem=wlan0 type=DETACH" in lines
    assert any(line.startswith("devd: -iwn0 at ") for line in lines)
    assert main(["attach", "iwn0"], host) == 0
    lines = out_of(capsys)
    assert any(line.startswith("devd: +iwn0 at ") for line in lines)
    assert "devd: !system=IFNET subsystem=wlan0 type=ATTACH" in lines
    assert read_only(host).interfaces["lagg0"].ports == ["em0"]


def test_usb_ethernet_plug_and_unplug(host: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["usb-ethernet", "ue0"], host) == 0
    lines = out_of(capsys)
    assert lines[-3:] == [
        "devd: +axge0 at bus=0 hubaddr=1 port=2 devaddr=3 interface=0 ugen=ugen0.3 "
        "vendor=0x0b95 product=0x178a devclass=0xff devsubclass=0xff mode=host on uhub0",
        "devd: !system=IFNET subsystem=ue0 type=ATTACH",
        "devd: !system=ETHERNET subsystem=ue0 type=IFATTACH",
    ]
    assert main(["usb-ethernet", "ue0", "unplug"], host) == 0
    lines = out_of(capsys)
    assert "devd: !system=IFNET subsystem=ue0 type=DETACH" in lines
    assert main(["usb-ethernet", "ue0", "unplug"], host) == EX_UNAVAILABLE


def test_show_and_events(host: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show"], host) == 0
    text = capsys.readouterr().out
    assert "ap home: ssid home on home, in range" in text
    assert "dhclient[" in text and "lease 192.168.1.101" in text
    assert "\tlaggport: em0 flags=5<MASTER,ACTIVE>" in text
    assert main(["events", "2"], host) == 0
    lines = out_of(capsys)
    assert lines[0] == "3\t!system=ETHERNET subsystem=em0 type=IFATTACH"


def test_clock_moves_only_when_told(host: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert read_only(host).now == 0
    assert main(["advance", "30"], host) == 0
    assert out_of(capsys) == ["clock at 30 s"]
    assert read_only(host).now == 30


@pytest.mark.parametrize(
    "argv",
    [["frobnicate"], ["ap", "home"], ["ap", "home", "maybe"], ["plug"], ["wpa", "stop", "wlan0"],
     ["init"], ["init", "laptop", "--release", "9.0"], ["advance", "soon"]],
)  # fmt: skip
def test_usage_errors(host: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv, host) == EX_USAGE
    err = capsys.readouterr().err
    assert err.startswith("laggroam-sim: ")
    assert "laggroam-sim --dir DIR VERB [ARGS]" in err


@pytest.mark.parametrize(
    "argv", [["detach", "ath9"], ["plug", "wlan0"], ["ap", "mars", "on"], ["wpa", "kill", "wlan7"]]
)
def test_refusals_are_one_line(
    host: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv, host) == EX_UNAVAILABLE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("laggroam-sim: ")


def test_refused_verbs_change_nothing(host: Path) -> None:
    before = (host / "state.json").read_text()
    main(["plug", "wlan0"], host)
    assert (host / "state.json").read_text() == before
