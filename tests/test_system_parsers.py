"""Reading process state as rc.subr does (pidfiles, one ps) and what wpa_cli prints."""

from collections.abc import Callable
from pathlib import Path

import pytest

from laggroam.core.host import Process
from laggroam.edge import rcstatus
from laggroam.edge.system import parse_wpa_cli_status


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


def _read_both(root: Path, path: str) -> tuple[object, object]:
    """What read_pidfile and a directory-listing Pidfiles each say of ``path``."""

    def one(read: Callable[[str], int | None]) -> object:
        try:
            return read(path)
        except rcstatus.Unreadable as exc:
            return ("unreadable", str(exc))

    return one(lambda p: rcstatus.read_pidfile(str(root), p)), one(
        rcstatus.Pidfiles(str(root)).read
    )


def test_pidfiles_listing_decides_as_each_open(tmp_path: Path) -> None:
    dhclient = "/var/run/dhclient/dhclient.{}.pid"
    _pidfile(tmp_path, b"1234\n", dhclient.format("lagg0"))
    _pidfile(tmp_path, b"junk\n", dhclient.format("lagg1"))
    _pidfile(tmp_path, b"\n", dhclient.format("lagg2"))
    link = tmp_path / dhclient.format("lagg3").lstrip("/")
    link.symlink_to(tmp_path / dhclient.format("lagg0").lstrip("/"))
    (tmp_path / "var/run/wpa_supplicant").write_text("a file, not a directory\n")
    paths = [dhclient.format(n) for n in ("lagg0", "lagg1", "lagg2", "lagg3", "em0")]
    paths += ["/var/run/wpa_supplicant/wlan0.pid", "/var/run/nowhere/x.pid"]
    answers = {p: _read_both(tmp_path, p) for p in paths}
    assert all(old == new for old, new in answers.values()), answers
    assert answers[paths[0]][0] == 1234 and answers[paths[4]][0] is None
    assert answers[paths[3]][0][0] == "unreadable"  # type: ignore[index]
    assert answers[paths[5]][0][0] == "unreadable"  # type: ignore[index]


def test_pidfiles_lists_a_directory_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pidfile(tmp_path, b"1234\n")
    opened: list[str] = []
    real_open = rcstatus.os.open

    def counting_open(path: str, flags: int) -> int:
        opened.append(path)
        return real_open(path, flags)

    monkeypatch.setattr(rcstatus.os, "open", counting_open)
    pidfiles = rcstatus.Pidfiles(str(tmp_path))
    found = [pidfiles.read(f"/var/run/dhclient/dhclient.{n}.pid") for n in ("lagg0", "em0", "em1")]
    assert found == [1234, None, None]
    assert len(opened) == 1 and opened[0].endswith("dhclient.lagg0.pid")


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
