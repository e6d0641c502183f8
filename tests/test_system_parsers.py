"""Reading process state as rc.subr does (pidfiles, one ps) and what wpa_cli prints."""

from pathlib import Path

import pytest

from laggroam import rcstatus
from laggroam.host import Process
from laggroam.system import parse_wpa_cli_status


def _pidfile(root: Path, text: bytes, path: str = "/var/run/dhclient/dhclient.lagg0.pid") -> str:
    full = root / path.lstrip("/")
    full.parent.mkdir(parents=True, exist_ok=True)
    full.write_bytes(text)
    return path


def test_pidfile_first_word_of_first_line(tmp_path: Path) -> None:
    path = _pidfile(tmp_path, b"1234\n")
    assert rcstatus.read_pidfile(str(tmp_path), path) == 1234
    path = _pidfile(tmp_path, b"  77 junk\nmore\n")
    assert rcstatus.read_pidfile(str(tmp_path), path) == 77


def test_no_pidfile_or_no_pid_is_not_running(tmp_path: Path) -> None:
    assert rcstatus.read_pidfile(str(tmp_path), "/var/run/nothing.pid") is None
    assert rcstatus.read_pidfile(str(tmp_path), _pidfile(tmp_path, b"\n")) is None


@pytest.mark.parametrize("text", [b"x12\n", b"0\n", b"100000\n", b"1" * 100, b"-3\n"])
def test_a_pidfile_that_is_no_pid_is_unknown(tmp_path: Path, text: bytes) -> None:
    with pytest.raises(rcstatus.Unreadable):
        rcstatus.read_pidfile(str(tmp_path), _pidfile(tmp_path, text))


def test_ps_argv_is_rc_subr_s_for_all_pids() -> None:
    assert rcstatus.ps_argv("/bin/ps", [7, 3, 7]) == [
        "/bin/ps", "-ww", "-o", "pid=", "-o", "jid=", "-o", "command=", "-p", "3,7",
    ]  # fmt: skip


def test_ps_listing_and_rc_subr_s_match() -> None:
    listing = rcstatus.parse_ps(
        " 1001   0 dhclient: lagg0 (dhclient)\n"
        " 1002   0 /usr/sbin/wpa_supplicant -s -B -i wlan0 -c /etc/wpa_supplicant.conf\n"
        " 1003   4 dhclient: em0 (dhclient)\n"
        " 1004   0 /usr/sbin/sshd\n"
    )
    pids = {"lagg0": 1001, "wlan0": 1002, "em0": 1003, "wlan1": 1004, "ue0": 1009, "x": None}
    procs = {k: "wpa_supplicant" if k.startswith("wlan") else "dhclient" for k in pids}
    assert rcstatus.states(pids, procs, listing) == {
        "lagg0": Process(True, 1001),
        "wlan0": Process(True, 1002),
        "em0": Process(False, None),  # in a jail: not the host's (rc.subr JID=0)
        "wlan1": Process(False, None),  # the pid was reused by another program
        "ue0": Process(False, None),  # a stale pidfile
        "x": Process(False, None),
    }


@pytest.mark.parametrize(
    ("command", "procname", "expected"),
    [
        ("dhclient: em0 (dhclient)", "/sbin/dhclient", True),
        ("/sbin/dhclient em0", "/sbin/dhclient", True),
        ("[dhclient]", "dhclient", True),
        ("(dhclient)", "dhclient", True),
        ("dhclientx em0", "dhclient", False),
        ("/usr/local/sbin/wpa_supplicant -B", "wpa_supplicant", True),
        ("sh -c dhclient", "dhclient", False),
        ("", "dhclient", False),
    ],
)
def test_first_word_match(command: str, procname: str, expected: bool) -> None:
    assert rcstatus.runs(command, procname) is expected


@pytest.mark.parametrize("text", ["1001 dhclient\n", "x 0 dhclient\n", "12 a b\n"])
def test_garbled_ps_is_unknown(text: str) -> None:
    with pytest.raises(rcstatus.Unreadable):
        rcstatus.parse_ps(text)


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
