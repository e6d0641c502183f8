"""The laggroam command: exit codes, quiet success, and the outputs' contracts."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from paths import IFCONFIG_FIXTURES, REPO

from laggroam.admin.cli import main

SAMPLE = REPO / "conf" / "laggroam.ini.sample"
HEALTHY = IFCONFIG_FIXTURES / "lagg-failover-em0-wlan0-11.0.txt"
DROPPED = IFCONFIG_FIXTURES / "lagg-failover-em0-wlan0-port-missing-15.txt"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_valid_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "-c", str(SAMPLE)], capsys) == (0, "", "")


def test_check_global_config_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-c", str(SAMPLE), "check"], capsys) == (0, "", "")


def test_check_invalid_exits_78_with_file_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "laggroam.ini"
    bad.write_text("[lagg0]\nports = em0 wlan0\ndebounse = 1s\n[wlan0]\nparent = iwn0;rm\n")
    code, out, err = run(["check", "-c", str(bad)], capsys)
    assert code == 78
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"{bad}:3: ")
    assert any(line.startswith(f"{bad}:5: ") for line in lines)
    assert "Traceback" not in err


def test_check_missing_file_exits_66(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.ini"
    code, _, err = run(["check", "-c", str(missing)], capsys)
    assert code == 66
    assert err == f"laggroam: {missing}: No such file or directory\n"


def test_check_directory_exits_66(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "-c", str(tmp_path)], capsys)
    assert code == 66
    assert str(tmp_path) in err


def test_bad_usage_exits_64(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 64
    with pytest.raises(SystemExit) as exc:
        main(["check", "--nope"])
    assert exc.value.code == 64


def test_bad_event_is_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["plan", "-c", str(SAMPLE), "--from-ifconfig", str(HEALTHY), "--event", "LINK_UP em0;id"],
        capsys,
    )
    assert code == 64
    assert "invalid interface name" in err


def test_status_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["status", "--json", "--from-ifconfig", str(HEALTHY)], capsys)
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"interfaces", "laggs", "policy", "ether_wanted"}
    assert doc["policy"]["used"] is False
    assert doc["policy"]["problem"].startswith("no policy at ")
    assert doc["laggs"]["lagg0"] == {
        "proto": "failover",
        "ports": [
            {"name": "em0", "flags": ["MASTER", "ACTIVE"]},
            {"name": "wlan0", "flags": []},
        ],
        "primary": "em0",
        "active": "em0",
    }
    lagg0 = doc["interfaces"]["lagg0"]
    assert lagg0["inet"] == ["192.168.0.21/16"]
    assert lagg0["ether"] == "b8:8a:60:de:c4:1b"
    assert lagg0["status"] == "active"
    assert lagg0["hwaddr"] is None


def test_status_warns_about_a_port_the_policy_lists(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["status", "-c", str(SAMPLE), "--from-ifconfig", str(DROPPED)], capsys)
    assert code == 0
    assert "warning: lagg0 lacks port wlan0" in out


def test_status_without_policy_says_so_and_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["status", "--from-ifconfig", str(DROPPED)], capsys)
    assert code == 0
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: no policy at /usr/local/etc/laggroam/laggroam.ini:"
        " nothing to compare the host with"
    ]


def test_status_on_unobservable_host_exits_69(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a site whose programs are not there: ifconfig -a cannot run
    (tmp_path / "root").mkdir()
    (tmp_path / "site.ini").write_text("[site]\nroot = root\n[programs]\nifconfig = bin/none\n")
    code, _, err = run(["--site", str(tmp_path), "status"], capsys)
    assert code == 69
    assert err.startswith("laggroam: cannot observe the host:")


def test_plan_on_capture_readds_dropped_port(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["plan", "-c", str(SAMPLE), "--from-ifconfig", str(DROPPED), "--json"], capsys
    )
    assert code == 0
    doc = json.loads(out)
    assert [a["command"] for a in doc["actions"]] == ["ifconfig lagg0 laggport wlan0"]


def test_plan_on_healthy_capture_plans_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["plan", "-c", str(SAMPLE), "--from-ifconfig", str(HEALTHY)], capsys)
    assert code == 0
    # A capture shows no processes, so the DHCP client's state is unknown: no
    # action, but not called a match either.
    assert out == (
        "nothing to do: laggroam leaves alone what the notes below say\n"
        "note: dhclient on lagg0: state unknown; not acted on\n"
    )


def test_module_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "laggroam", "check", "-c", str(SAMPLE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_status_on_garbage_exits_65(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "notes.txt"
    garbage.write_text("hello\nworld\n")
    code, out, err = run(["status", "--from-ifconfig", str(garbage)], capsys)
    assert code == 65
    assert out == ""
    assert err.startswith(f"laggroam: {garbage}:1: ")


# -- the global --sim after the command, help screens --------------------------


def test_site_may_follow_the_command_as_c_may(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "site.ini").write_text("[site]\nroot = root\n[programs]\nifconfig = bin/none\n")
    site = str(tmp_path)
    for argv in (["--site", site, "status"], ["status", "--site", site], ["status", "--sim", site]):
        code, _, err = run(argv, capsys)
        assert code == 69, argv
        assert err.startswith("laggroam: cannot observe the host:")


@pytest.mark.parametrize("command", ["check", "init", "status", "plan", "apply", "daemon", "devd"])
def test_every_help_screen_says_what_the_command_does(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    usage, description = out.split("\n\n")[:2]
    assert usage.startswith(f"usage: laggroam {command} ")
    assert not description.startswith(("options:", "positional arguments:"))
    assert len(description.split()) >= 5


def test_the_simulator_is_not_a_verb_of_the_product(capsys: pytest.CaptureFixture[str]) -> None:
    for verb in ("sim", "demo"):
        with pytest.raises(SystemExit) as exc:
            main([verb, "--help"])
        assert exc.value.code == 64
        assert f"invalid choice: '{verb}'" in capsys.readouterr().err


# -- devd explain for an event captured elsewhere ---------------------------------

DHCLIENT_RULE = """\
notify 0 {
	match "system"		"IFNET";
	match "type"		"LINK_UP";
	media-type		"ethernet";
	action "service dhclient quietstart $subsystem";
};
"""
LINK_UP = "!system=IFNET subsystem=em0 type=LINK_UP"


def test_devd_explain_is_told_media_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tmp_path / "devd.conf"
    conf.write_text(DHCLIENT_RULE)
    base = ["devd", "explain", "--devd-conf", str(conf), LINK_UP]
    code, out, _ = run([*base, "--media", "em0=unknown"], capsys)
    assert code == 0 and out.splitlines()[-1] == "result: no rule matches; devd does nothing"
    code, out, _ = run([*base, "--media", "em0=Ethernet"], capsys)
    assert code == 0
    assert "em0 has media type Ethernet" in out
    assert out.splitlines()[-1] == "  service dhclient quietstart $'em0'"
    # Or read off a capture's media line (this em0's is "media: Ethernet autoselect").
    capture = IFCONFIG_FIXTURES / "em-no-carrier-11.0.txt"
    code, out, _ = run([*base, "--from-ifconfig", str(capture)], capsys)
    assert code == 0 and "em0 has media type Ethernet" in out


def test_devd_explain_refuses_a_bad_media_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tmp_path / "devd.conf"
    conf.write_text(DHCLIENT_RULE)
    for bad in ("em0=fddi", "em0;id=ethernet", "=ethernet"):
        code, _, err = run(
            ["devd", "explain", "--devd-conf", str(conf), LINK_UP, "--media", bad], capsys
        )
        assert code == 64, bad
        assert err.startswith(f"laggroam: --media {bad!r}: "), err


def test_devd_with_a_missing_file_exits_66(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nonexistent"
    code, _, err = run(["devd", "explain", "--devd-conf", str(missing), LINK_UP], capsys)
    assert (code, err) == (66, f"laggroam: {missing}: No such file or directory\n")
    code, _, err = run(["devd", "check", str(missing)], capsys)
    assert (code, err) == (66, f"laggroam: {missing}: No such file or directory\n")
