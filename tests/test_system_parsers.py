"""Parsing what rc.subr's status and wpa_cli print."""

from laggroam.runner import Result
from laggroam.system import parse_rc_status, parse_wpa_cli_status


def _res(stdout: str, rc: int | None) -> Result:
    return Result(("service", "dhclient", "status", "lagg0"), rc, stdout)


def test_running() -> None:
    state = parse_rc_status(_res("dhclient is running as pid 1234.\n", 0))
    assert state.running is True
    assert state.pid == 1234


def test_not_running() -> None:
    state = parse_rc_status(_res("dhclient is not running.\n", 1))
    assert state.running is False
    assert state.pid is None


def test_garbled_is_unknown_not_a_guess() -> None:
    for text, rc in [("", 0), ("dhclient is running as pid x.\n", 0), ("weird\n", 1), ("", None)]:
        assert parse_rc_status(_res(text, rc)).running is None


def test_contradicting_exit_code_is_unknown() -> None:
    assert parse_rc_status(_res("dhclient is running as pid 12.\n", 1)).running is None


def test_wpa_cli_status_fields() -> None:
    text = (
        "bssid=32:20:9f:2e:f6:65\nfreq=5240\nssid=home net\nid=0\nmode=station\n"
        "pairwise_cipher=CCMP\nwpa_state=COMPLETED\nip_address=192.168.1.85\n"
        "address=a4:02:b9:a7:ce:25\n"
    )
    fields = parse_wpa_cli_status(text)
    assert fields["wpa_state"] == "COMPLETED"
    assert fields["ssid"] == "home net"
    assert fields["bssid"] == "32:20:9f:2e:f6:65"


def test_wpa_cli_ignores_noise() -> None:
    fields = parse_wpa_cli_status("Selected interface 'wlan0'\n=x\nwpa_state=SCANNING\n")
    assert fields == {"wpa_state": "SCANNING"}
