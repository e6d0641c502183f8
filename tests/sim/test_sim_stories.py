"""The roaming stories on the simulator alone (no laggroam reaction), with their devd events."""

from pathlib import Path

import pytest
from laggroam_sim import journal, standin
from laggroam_sim.cli import main
from laggroam_sim.laptop import IWN0_MAC
from laggroam_sim.state import read_only


def sim(sim_dir: Path, *argv: str) -> None:
    assert main(list(argv), sim_dir) == 0


def run(sim_dir: Path, prog: str, *argv: str) -> standin.Run:
    return standin.execute(prog, list(argv), sim_dir)


def events_after(sim_dir: Path, seq: int) -> list[str]:
    return [e.line for e in journal.read(sim_dir, seq)]


@pytest.fixture
def laptop(tmp_path: Path) -> Path:
    sim(tmp_path, "init", "laptop")
    return tmp_path


def test_cable_unplug_fails_over_to_wlan0_and_keeps_the_address(laptop: Path) -> None:
    before = read_only(laptop)
    mark = journal.last_seq(laptop)
    sim(laptop, "unplug", "em0")
    # only em0's own link event: lagg0 keeps link through wlan0, no failover event
    assert events_after(laptop, mark) == ["!system=IFNET subsystem=em0 type=LINK_DOWN"]
    out = run(laptop, "ifconfig", "lagg0").out
    assert "\tlaggport: em0 flags=1<MASTER>\n\tlaggport: wlan0 flags=4<ACTIVE>\n" in out
    assert "\tinet 192.168.1.101 netmask 0xffffff00 broadcast 192.168.1.255\n" in out
    after = read_only(laptop)
    assert after.dhclients["lagg0"].pid == before.dhclients["lagg0"].pid
    mark = journal.last_seq(laptop)
    sim(laptop, "plug", "em0")
    assert events_after(laptop, mark) == ["!system=IFNET subsystem=em0 type=LINK_UP"]
    assert "\tlaggport: em0 flags=5<MASTER,ACTIVE>\n" in run(laptop, "ifconfig", "lagg0").out


def test_suspend_resume_on_a_native_radio_keeps_wlan0_in_lagg0(laptop: Path) -> None:
    # iwn_suspend/iwn_resume: ieee80211_suspend_all/resume_all (sys/dev/iwn/if_iwn.c);
    # the old model destroyed and re-created wlan0 here
    wpa_pid = read_only(laptop).supplicants["wlan0"].pid
    index = read_only(laptop).interfaces["wlan0"].index
    mark = journal.last_seq(laptop)
    sim(laptop, "suspend")
    sim(laptop, "resume")
    events = events_after(laptop, mark)
    assert events[0] == "!system=ACPI subsystem=Suspend type=\\ notify=0x03"
    assert "!system=IFNET subsystem=wlan0 type=LINK_DOWN" in events
    assert not any("DETACH" in e or "ATTACH" in e or e[0] in "+-" for e in events)
    resume = events.index("!system=ACPI subsystem=Resume type=\\ notify=0x03")
    assert "!system=IFNET subsystem=wlan0 type=LINK_UP" in events[resume:]
    state = read_only(laptop)
    assert state.interfaces["lagg0"].ports == ["em0", "wlan0"]
    assert state.interfaces["wlan0"].index == index  # the same ifnet
    assert state.interfaces["wlan0"].link
    assert state.supplicants["wlan0"].pid == wpa_pid


@pytest.mark.parametrize("setup", [["--radio", "rtwn"], ["--detach-on-suspend"]])
def test_suspend_resume_re_creates_wlan0_when_the_radio_detaches(
    tmp_path: Path, setup: list[str]
) -> None:
    # USB: usb_bus_suspend disconnects every device (sys/dev/usb/controller/
    # usb_controller.c); the rc.suspend workaround detaches the radio itself
    sim(tmp_path, "init", "laptop", *setup)
    radio = "rtwn0" if "rtwn" in setup else "iwn0"
    wpa_pid = read_only(tmp_path).supplicants["wlan0"].pid
    mark = journal.last_seq(tmp_path)
    sim(tmp_path, "suspend")
    sim(tmp_path, "resume")
    events = events_after(tmp_path, mark)
    detach = events.index("!system=IFNET subsystem=wlan0 type=DETACH")
    assert events[detach + 1].startswith(f"-{radio} at ")
    resume = events.index("!system=ACPI subsystem=Resume type=\\ notify=0x03")
    assert detach < resume
    tail = events[resume:]
    attach = next(i for i, line in enumerate(tail) if line.startswith(f"+{radio} at "))
    assert tail[attach + 1 : attach + 3] == [
        "!system=IFNET subsystem=wlan0 type=ATTACH",
        "!system=ETHERNET subsystem=wlan0 type=IFATTACH",
    ]
    assert tail[-1] == "!system=IFNET subsystem=wlan0 type=LINK_UP"
    state = read_only(tmp_path)
    # wlan0 is back and associated, wearing its own MAC, but lagg0 lost it
    assert state.interfaces["lagg0"].ports == ["em0"]
    assert state.interfaces["wlan0"].mac == IWN0_MAC
    assert state.interfaces["wlan0"].link
    assert "laggport: wlan0" not in run(tmp_path, "ifconfig", "lagg0").out
    # the same wpa_supplicant waited for wlan0 and took the new one over
    assert state.supplicants["wlan0"].pid == wpa_pid
    assert "wpa_supplicant on wlan0: interface removed, waiting for it" in state.log


def test_a_radio_resumed_without_firmware_stays_silent_until_re_attached(tmp_path: Path) -> None:
    # iwlwifi built without CONFIG_PM_SLEEP (sys/modules/iwlwifi/Makefile)
    sim(tmp_path, "init", "laptop", "--radio", "iwlwifi")
    sim(tmp_path, "suspend")
    sim(tmp_path, "resume")
    state = read_only(tmp_path)
    assert state.interfaces["lagg0"].ports == ["em0", "wlan0"]
    assert not state.interfaces["wlan0"].link
    sim(tmp_path, "detach", "iwlwifi0")
    sim(tmp_path, "attach", "iwlwifi0")
    assert read_only(tmp_path).interfaces["wlan0"].link


def test_late_radio_at_boot_leaves_lagg0_with_em0_only(tmp_path: Path) -> None:
    # the host is built as far as rc got, and init says that the boot failed
    assert main(["init", "laptop", "--late", "iwn0"], tmp_path) == 1
    events = events_after(tmp_path, 0)
    lagg_attach = events.index("!system=IFNET subsystem=lagg0 type=ATTACH")
    radio = next(i for i, line in enumerate(events) if line.startswith("+iwn0 at "))
    assert lagg_attach < radio
    state = read_only(tmp_path)
    assert state.interfaces["lagg0"].ports == ["em0"]
    assert "rc: ifconfig: lagg0 wlan0: SIOCSLAGGPORT: Invalid argument" in state.log
    assert state.interfaces["wlan0"].link


def test_wpa_supplicant_dying_after_an_ap_loss(laptop: Path) -> None:
    sim(laptop, "unplug", "em0")
    mark = journal.last_seq(laptop)
    sim(laptop, "ap", "home", "off")
    assert events_after(laptop, mark) == [
        "!system=IFNET subsystem=wlan0 type=LINK_DOWN",
        "!system=IFNET subsystem=lagg0 type=LINK_DOWN",
    ]
    sim(laptop, "wpa", "kill", "wlan0")
    mark = journal.last_seq(laptop)
    sim(laptop, "ap", "home", "on")
    assert events_after(laptop, mark) == []  # nobody associates any more
    status = run(laptop, "service", "wpa_supplicant", "status", "wlan0")
    assert (status.out, status.status) == ("wpa_supplicant is not running.\n", 1)
    cli = run(laptop, "wpa_cli", "-i", "wlan0", "status")
    assert cli.status == 255
    assert cli.out.startswith("Failed to connect to non-global ctrl_ifname: wlan0  error:")
    # the crashed daemon left its pidfile behind; dhclient on lagg0 survives link loss
    state = read_only(laptop)
    assert "/var/run/wpa_supplicant/wlan0.pid" in state.pidfiles
    assert "lagg0" in state.dhclients
    # restarting it brings the link back
    mark = journal.last_seq(laptop)
    restart = run(laptop, "service", "wpa_supplicant", "start", "wlan0")
    assert restart.out == "Starting wpa_supplicant.\n"
    assert events_after(laptop, mark) == [
        "!system=IFNET subsystem=wlan0 type=LINK_UP",
        "!system=IFNET subsystem=lagg0 type=LINK_UP",
    ]


def test_roaming_to_the_cafe_gets_an_address_from_the_other_subnet(laptop: Path) -> None:
    mark = journal.last_seq(laptop)
    sim(laptop, "roam", "cafe")
    assert events_after(laptop, mark) == [
        "!system=IFNET subsystem=em0 type=LINK_DOWN",
        "!system=IFNET subsystem=wlan0 type=LINK_DOWN",
        "!system=IFNET subsystem=lagg0 type=LINK_DOWN",
        "!system=IFNET subsystem=wlan0 type=LINK_UP",
        "!system=IFNET subsystem=lagg0 type=LINK_UP",
        "!system=IFNET subsystem=lagg0 type=ADDR_DEL address=192.168.1.101",
        "!system=IFNET subsystem=lagg0 type=ADDR_ADD address=10.20.30.101",
    ]
    status = run(laptop, "wpa_cli", "-i", "wlan0", "status").out
    assert "ssid=cafe\n" in status and "wpa_state=COMPLETED\n" in status
    # back home: the home server remembers the client and hands the same address back
    sim(laptop, "roam", "home")
    assert "inet 192.168.1.101 " in run(laptop, "ifconfig", "lagg0").out


def test_a_radio_that_cannot_change_its_mac_never_associates_in_the_lagg(tmp_path: Path) -> None:
    # lagg0 programs em0's MAC onto wlan0; a driver that cannot send with it
    # leaves wpa_supplicant scanning (the handbook's warning)
    sim(tmp_path, "init", "laptop", "--fixed-mac", "iwn0")
    assert "wpa_state=SCANNING\n" in run(tmp_path, "wpa_cli", "-i", "wlan0", "status").out
    assert not read_only(tmp_path).interfaces["wlan0"].link


def test_the_handbooks_fix_gives_em0_the_wireless_mac(tmp_path: Path) -> None:
    sim(tmp_path, "init", "laptop", "--fixed-mac", "iwn0",
        "--rc", f"ifconfig_em0=ether {IWN0_MAC} up")  # fmt: skip
    state = read_only(tmp_path)
    assert state.interfaces["lagg0"].mac == IWN0_MAC
    assert state.interfaces["wlan0"].link
    assert f"\tether {IWN0_MAC}\n\thwaddr " in run(tmp_path, "ifconfig", "em0").out


def test_without_devd_nobody_recreates_wlan0(laptop: Path) -> None:
    # what devd's pccard_ether startchildren rule does is visible by stopping devd
    sim(laptop, "devd", "stop")
    sim(laptop, "detach", "iwn0")
    sim(laptop, "attach", "iwn0")
    assert "wlan0" not in read_only(laptop).interfaces


def test_failover_to_another_subnet_keeps_a_stale_address_until_dhclient_restarts(
    laptop: Path,
) -> None:
    # wired at home while only the cafe's access point is in radio range
    sim(laptop, "ap", "home", "off")
    sim(laptop, "ap", "cafe", "on")
    assert "ssid=cafe\n" in run(laptop, "wpa_cli", "-i", "wlan0", "status").out
    mark = journal.last_seq(laptop)
    sim(laptop, "unplug", "em0")
    # lagg0 never lost link, so dhclient did not notice: the home address stays
    assert events_after(laptop, mark) == ["!system=IFNET subsystem=em0 type=LINK_DOWN"]
    assert "inet 192.168.1.101 " in run(laptop, "ifconfig", "lagg0").out
    # what laggroam's renew_dhcp=on-failover will do: the cafe's server NAKs
    # the recorded address and hands out one of its own, replacing the old
    mark = journal.last_seq(laptop)
    assert run(laptop, "service", "dhclient", "restart", "lagg0").status == 0
    assert events_after(laptop, mark) == [
        "!system=IFNET subsystem=lagg0 type=ADDR_DEL address=192.168.1.101",
        "!system=IFNET subsystem=lagg0 type=ADDR_ADD address=10.20.30.101",
    ]
    lagg0 = run(laptop, "ifconfig", "lagg0").out
    assert "inet 10.20.30.101 " in lagg0 and "192.168.1.101" not in lagg0
