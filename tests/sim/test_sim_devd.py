"""The simulated devd: its configuration, the rule it picks per event, what it runs and records."""

import re
import socket
from pathlib import Path

import pytest
from laggroam_sim import devd, devdlog, journal
from laggroam_sim.cli import main
from laggroam_sim.state import SimError, read_only

from laggroam.devd import chain, devdmatch
from laggroam.devd.devdline import parse_event

SAMPLE = Path(__file__).resolve().parents[2] / "conf" / "laggroam.ini.sample"
IWN0 = (
    "iwn0 at slot=0 function=0 dbsf=pci0:2:0:0 vendor=0x8086 device=0x4238 "
    "subvendor=0x8086 subdevice=0x1111 class=0x028000 on pci2"
)
EVENTS = {
    "link up em0": "!system=IFNET subsystem=em0 type=LINK_UP",
    "link up wlan0": "!system=IFNET subsystem=wlan0 type=LINK_UP",
    "link up lo0": "!system=IFNET subsystem=lo0 type=LINK_UP",
    "attach em0": "!system=IFNET subsystem=em0 type=ATTACH",
    "attach wlan0": "!system=IFNET subsystem=wlan0 type=ATTACH",
    "radio attach": f"+{IWN0}",
    "radio detach": f"-{IWN0}",
    "resume": "!system=ACPI subsystem=Resume type=\\ notify=0x03",
    "suspend": "!system=ACPI subsystem=Suspend type=\\ notify=0x03",
    "addr add": "!system=IFNET subsystem=lagg0 type=ADDR_ADD address=192.168.1.101",
    "ethernet ifattach": "!system=ETHERNET subsystem=em0 type=IFATTACH",
}


def sim(sim_dir: Path, *argv: str) -> int:
    return main(list(argv), sim_dir)


@pytest.fixture
def laptop(tmp_path: Path) -> Path:
    """The seed's laptop, devd running since its boot, laggroam not installed."""
    assert sim(tmp_path, "init", "laptop") == 0
    return tmp_path


def choices(sim_dir: Path) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """Per event: the rule devd runs (path relative to the simulated /, :line) and its commands."""
    root = devd.root_of(sim_dir)
    config = chain.load(root)
    media_of = devd.media_types(read_only(sim_dir))
    found: dict[str, tuple[str | None, tuple[str, ...]]] = {}
    for name, line in EVENTS.items():
        event = parse_event(line)
        rule = devdmatch.find_rule(config, event, media_of)
        if rule is None:
            found[name] = (None, ())
            continue
        where = rule.where.removeprefix(str(root))
        commands = tuple(
            c.replace(str(root), "") for c in devdmatch.rule_commands(config, rule, event)
        )
        found[name] = (where, commands)
    return found


def test_stock_config_is_reroooted_into_the_simulator_and_split_as_in_15() -> None:
    files = devd.stock_config(Path("/s/root"), "15.0")
    assert sorted(files) == ["/etc/devd.conf", "/etc/devd/dhclient.conf"]
    main_conf = files["/etc/devd.conf"]
    assert 'action "/s/root/etc/pccard_ether $subsystem start";' in main_conf
    assert 'action "/s/root/etc/rc.resume acpi $notify";' in main_conf
    assert 'directory "/usr/local/etc/devd";' in main_conf
    # service is found on devd's PATH, as on FreeBSD
    assert 'action "service dhclient quietstart $subsystem";' in files["/etc/devd/dhclient.conf"]
    old = devd.stock_config(Path("/s/root"), "14.0")
    assert list(old) == ["/etc/devd.conf"]
    assert "service dhclient quietstart" in old["/etc/devd.conf"]


def test_the_stock_rules_devd_picks_on_the_simulated_host(laptop: Path) -> None:
    got = choices(laptop)
    dhclient = ("service dhclient quietstart $'em0'",)
    assert got["link up em0"][1] == dhclient
    assert got["link up em0"][0].startswith("/etc/devd/dhclient.conf:")  # type: ignore[union-attr]
    # the 802.11 twin of the rule, found through media-type
    assert got["link up wlan0"][1] == ("service dhclient quietstart $'wlan0'",)
    assert got["link up wlan0"][0] != got["link up em0"][0]
    assert got["link up lo0"] == (None, ())  # lo0 has no media
    assert got["attach em0"][1] == ("/etc/pccard_ether $'em0' start",)
    assert got["attach wlan0"] == (None, ())  # "!(usbus|wlan)[0-9]+"
    assert got["radio attach"][1] == ("/etc/pccard_ether $'iwn0' startchildren",)
    assert got["radio detach"][1] == ("/etc/pccard_ether $'iwn0' stopchildren",)
    assert got["resume"][1] == ("/etc/rc.resume acpi $'0x03'",)
    assert got["suspend"][1] == ("/etc/rc.suspend acpi $'0x03'",)
    assert got["addr add"] == (None, ())
    assert got["ethernet ifattach"] == (None, ())


def test_laggroam_takes_only_its_events_and_the_rest_go_where_they_always_went(
    laptop: Path,
) -> None:
    before = choices(laptop)
    devd.install_laggroam(laptop, SAMPLE)
    after = choices(laptop)
    hooks = "/usr/local/libexec/laggroam/"
    # lo0 is none of laggroam's business: its events go where they always went.
    taken = {"link up em0", "link up wlan0", "attach em0", "attach wlan0", "resume"}
    for name in EVENTS:
        if name in taken:
            assert after[name][0].startswith("/usr/local/etc/devd/laggroam.conf:"), name  # type: ignore[union-attr]
            assert after[name][1][0].startswith(hooks), name
        else:
            assert after[name] == before[name], name


def test_devd_runs_the_stock_rule_waits_for_it_and_records_it(laptop: Path) -> None:
    assert sim(laptop, "unplug", "em0") == 0
    mark = len(read_only(laptop).write_calls)
    seq = journal.last_seq(laptop)
    assert sim(laptop, "plug", "em0") == 0
    link_up = [d for d in devd.read_log(laptop) if d.line == EVENTS["link up em0"] and d.seq > seq]
    assert len(link_up) == 1
    (one,) = link_up
    assert one.rule is not None and one.rule.startswith(f"{laptop.resolve()}/root/etc/devd/")
    assert one.commands == ("service dhclient quietstart $'em0'",)
    assert one.statuses == (1,)  # em0 is not a DHCP interface: dhclient_pre_check says no
    assert one.held > 0
    calls = [(c.prog, c.argv) for c in read_only(laptop).write_calls[mark:]]
    assert ("service", ["dhclient", "quietstart", "em0"]) in calls
    assert devd.delivered(laptop) == journal.last_seq(laptop)
    assert devd.pending(laptop) == 0


def test_devd_runs_pccard_ether_which_brings_wlan0_back(laptop: Path) -> None:
    assert read_only(laptop).devd
    mark = journal.last_seq(laptop)
    assert sim(laptop, "detach", "iwn0") == 0
    assert "wlan0" not in read_only(laptop).interfaces
    assert sim(laptop, "attach", "iwn0") == 0
    assert "wlan0" in read_only(laptop).interfaces
    log = [d for d in devd.read_log(laptop) if d.seq > mark]
    # every event, in journal order, none twice, including those the actions raised
    assert [d.seq for d in log] == list(range(mark + 1, journal.last_seq(laptop) + 1))
    attach = next(d for d in log if d.line.startswith("+iwn0 "))
    assert attach.commands[0].endswith("/etc/pccard_ether $'iwn0' startchildren")
    assert attach.statuses == (0,)
    created = next(d for d in log if d.line == EVENTS["attach wlan0"])
    assert created.seq > attach.seq


def test_suspend_and_resume_run_rc_suspend_and_rc_resume(laptop: Path) -> None:
    assert sim(laptop, "suspend") == 0
    assert sim(laptop, "resume") == 0
    log = {d.line: d for d in devd.read_log(laptop)}
    assert log[EVENTS["suspend"]].statuses == (0,)
    assert log[EVENTS["resume"]].commands[0].endswith("/etc/rc.resume acpi $'0x03'")
    assert log[EVENTS["resume"]].statuses == (0,)
    notes = read_only(laptop).log
    assert "acpi: suspend (rc.suspend acpi 0x03)" in notes
    assert "acpi: resumed (rc.resume acpi 0x03)" in notes


def test_a_second_deliverer_returns_at_once_and_nothing_is_left_behind(laptop: Path) -> None:
    devd.inject(laptop, EVENTS["addr add"])
    with devdlog.devd_lock(laptop) as got:
        assert got
        assert devd.deliver(laptop) == []
        assert devd.pending(laptop) == 1
        assert not devd.idle(laptop)
    (one,) = devd.deliver(laptop)
    assert one.line == EVENTS["addr add"] and one.rule is None
    assert devd.idle(laptop)


def test_a_line_that_is_no_event_is_recorded_and_skipped(laptop: Path) -> None:
    devd.inject(laptop, "garbage")
    devd.inject(laptop, EVENTS["addr add"])
    bad, good = devd.deliver(laptop)
    assert bad.line == "garbage" and bad.error and bad.rule is None and bad.commands == ()
    assert good.error is None and good.line == EVENTS["addr add"]


def test_the_sim_devd_verb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sim(tmp_path, "init", "laptop") == 0
    capsys.readouterr()
    assert sim(tmp_path, "devd") == 0  # running since the boot, nothing waits
    assert capsys.readouterr().out == ""
    assert sim(tmp_path, "devd", "stop") == 0
    assert not read_only(tmp_path).devd
    assert sim(tmp_path, "devd") == 69
    assert "stopped" in capsys.readouterr().err
    # a stopped devd takes nothing; the kernel keeps the event for the next one
    assert sim(tmp_path, "devd", "inject", EVENTS["link up em0"]) == 69
    assert devd.pending(tmp_path) == 1
    capsys.readouterr()
    assert sim(tmp_path, "devd", "start") == 0
    out = capsys.readouterr().out
    assert (
        f"{EVENTS['link up em0']}\n  rule {devd.root_of(tmp_path)}/etc/devd/dhclient.conf:" in out
    )
    assert "  $ service dhclient quietstart $'em0'\n    exit 1\n" in out
    assert "  devd held " in out
    assert devd.pending(tmp_path) == 0


def test_install_laggroam_fills_in_the_simulators_paths(laptop: Path) -> None:
    devd.install_laggroam(laptop, SAMPLE)
    root = devd.root_of(laptop)
    snippet = (root / "usr/local/etc/devd/laggroam.conf").read_text()
    assert f'action "{root}/usr/local/libexec/laggroam/link $*";' in snippet
    hook = (root / "usr/local/libexec/laggroam/link").read_text()
    assert not re.search("%%[A-Z_]+%%", hook + snippet)
    # the hook a real host gets; only the command it starts is the simulator's
    command = root / "usr/local/bin/laggroam"
    assert f'"{root}/var/run/laggroam.sock", ["{command}"])' in hook
    assert f'main(["--site", {str(laptop.resolve())!r}, *sys.argv[1:]])' in command.read_text()
    assert f'"{root}/var/run/laggroam.sock"' in hook
    assert (root / "usr/local/etc/laggroam/laggroam.ini").read_text() == SAMPLE.read_text()


def test_install_laggroam_refuses_a_policy_with_errors(laptop: Path) -> None:
    with pytest.raises(SimError, match=r"/usr/local/etc/laggroam/laggroam\.ini:3: \[lagg0\] proto"):
        devd.install_laggroam(laptop, "[lagg0]\nports = em0 wlan0\nproto = carp\n")
    root = devd.root_of(laptop)
    assert not (root / "usr/local/etc/laggroam/laggroam.ini").exists()
    assert not (root / "usr/local/etc/devd/laggroam.conf").exists()


@pytest.mark.parametrize(
    "name", ["em0;reboot", "$(id)", "a" * 40], ids=["semicolon", "substitution", "long"]
)
def test_a_hostile_interface_name_runs_nothing(laptop: Path, name: str) -> None:
    devd.install_laggroam(laptop, SAMPLE)
    path = devd.root_of(laptop) / "var/run/laggroam.sock"
    assert len(str(path)) < 104  # sun_path on FreeBSD
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(4)
    listener.setblocking(False)
    try:
        writes = len(read_only(laptop).write_calls)
        devd.inject(laptop, f"!system=IFNET subsystem={name} type=LINK_UP")
        (one,) = devd.deliver(laptop)
        assert one.rule is not None and "/usr/local/etc/devd/laggroam.conf:" in one.rule
        assert one.statuses == (0,)
        assert "laggroam-hook: refused link event: invalid interface name" in one.output
        with pytest.raises(BlockingIOError):
            listener.accept()  # nothing handed to a daemon
        assert len(read_only(laptop).write_calls) == writes
        # a good name through the same path does reach the daemon's socket
        devd.inject(laptop, EVENTS["link up em0"])
        devd.deliver(laptop)
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(5)
            assert conn.recv(200) == f"laggroam/1 DEVD {EVENTS['link up em0']}\n".encode()
    finally:
        listener.close()


@pytest.mark.parametrize(("release", "old"), [("13.0", True), ("12.0", True), ("14.0", False)])
def test_stock_devd_conf_up_to_13_starts_a_new_wlan_too(release: str, old: bool) -> None:
    # up to 13.x the IFNET ATTACH rule matched "!usbus[0-9]+" and the wifi
    # driver list had no iwlwifi (sbin/devd/devd.conf, older versions)
    files = devd.stock_config(Path("/r"), release)
    text = "".join(files.values())
    assert ('"!usbus[0-9]+"' in text) == old
    assert ('"!(usbus|wlan)[0-9]+"' in text) == (not old)
    assert ("iwlwifi" in text) == (not old)
    assert "urtw|" in text and "rtwn|" in text
