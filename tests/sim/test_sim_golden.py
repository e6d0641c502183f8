"""Golden tests: the stand-in's ifconfig output against real captures of the same situation.

Addresses (MACs, IPv4, masks) are machine-specific and normalised away;
everything else -- flags, line order, indentation, trailing spaces, option
lists, lagg lines, groups, media and status -- must match line by line.
"""

import re

import pytest
from laggroam_sim import engine, ifconfig_out, kernel, laptop, power, world
from laggroam_sim.model import SimState
from laggroam_sim.state import Sim
from simhelp import IFCONFIG_FIXTURES, NOWHERE, boot_laptop, check_roundtrip, ifconfig_run

MAC = re.compile(r"\b(?!00:00:00:00:00:00)[0-9a-f]{2}(:[0-9a-f]{2}){5}\b")
IPV4 = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b")
NETMASK = re.compile(r"netmask 0x[0-9a-f]{8}")


def fixture_block(name: str, ifname: str) -> list[str]:
    """One interface's lines from a fixture, comment lines dropped."""
    lines = [ln for ln in (IFCONFIG_FIXTURES / name).read_text().splitlines() if ln[:1] != "#"]
    return _block(lines, ifname)


def _block(lines: list[str], ifname: str) -> list[str]:
    out: list[str] = []
    inside = False
    for line in lines:
        if line and not line[0].isspace():
            inside = line.startswith(f"{ifname}:")
        if inside:
            out.append(line)
    return out


def sim_block(sim: Sim, ifname: str) -> list[str]:
    return ifconfig_out.render(sim.state, sim.state.interfaces[ifname]).splitlines()


def normal(lines: list[str]) -> list[str]:
    return [NETMASK.sub("netmask MASK", IPV4.sub("IP", MAC.sub("MAC", ln))) for ln in lines]


def test_laptop_lagg0_matches_the_11_0_capture_exactly() -> None:
    sim = boot_laptop("11.0")
    expected = fixture_block("lagg-failover-em0-wlan0-11.0.txt", "lagg0")
    assert normal(sim_block(sim, "lagg0")) == normal(expected)


def test_unplugged_em0_matches_the_11_0_capture_exactly() -> None:
    sim = boot_laptop("11.0")
    world.unplug(sim, "em0")
    engine.settle(sim)
    expected = fixture_block("em-no-carrier-11.0.txt", "em0")
    assert normal(sim_block(sim, "em0")) == normal(expected)


def test_lagg_of_two_nics_matches_the_15_capture_exactly() -> None:
    state = SimState(release="15.0")
    world.add_segment(state, "lan", "192.168.5.0/24")
    sim = Sim(NOWHERE, state)
    for name, mac in (("em0", "00:50:56:29:a9:45"), ("em1", "00:50:56:29:a9:46")):
        kernel.attach_ether(sim, name, mac)
        world.plug(sim, name, "lan")
        ifconfig_run(sim, name, "up")
    ifconfig_run(sim, "lagg0", "create")
    ifconfig_run(sim, "lagg0", "up", "laggproto", "failover", "laggport", "em0", "laggport", "em1")
    kernel.add_inet(sim, "lagg0", "192.168.5.5", 24)
    expected = fixture_block("lagg-failover-em0-em1-15.txt", "lagg0")
    assert normal(sim_block(sim, "lagg0")) == normal(expected)


def test_boot_race_lagg0_matches_the_port_missing_15_capture_exactly() -> None:
    sim = boot_laptop("15.0", late=("iwn0",))
    expected = fixture_block("lagg-failover-em0-wlan0-port-missing-15.txt", "lagg0")
    assert normal(sim_block(sim, "lagg0")) == normal(expected)
    # and the failed laggport was reported the way current ifconfig does
    assert "wlan0" in sim.state.interfaces
    assert sim.state.interfaces["lagg0"].ports == ["em0"]


def _keys(lines: list[str]) -> list[str]:
    return [ln.split()[0].split("=")[0] if ln[:1].isspace() else "HEADER" for ln in lines]


WRAPPED_80211 = ("regdomain", "deftxkey", "bmiss", "ampdudensity", "wme", "protmode")
DRIVER_SPECIFIC = ("options", "inet", "inet6")


def test_associated_wlan_has_the_15_capture_structure() -> None:
    # a standalone associated wlan0 (created after lagg0, as in the boot race)
    sim = boot_laptop("15.0", late=("iwn0",))
    ours = sim_block(sim, "wlan0")
    real = fixture_block("em-lo0-wlan-rtwn-vht-15.txt", "wlan0")
    # header: same flags (a vap never gets LOWER_UP: its media is 802.11)
    assert ours[0].split(" ", 1)[1] == real[0].split(" ", 1)[1]

    def skeleton(lines: list[str]) -> list[str]:
        keys = [k for k in _keys(lines) if k not in DRIVER_SPECIFIC]
        return [k for i, k in enumerate(keys) if k not in WRAPPED_80211 or keys[i - 1] == "ssid"]

    assert skeleton(ours) == skeleton(real)
    tokens = " ".join(ours).split()
    for word in ("regdomain", "country", "authmode", "privacy", "txpower", "bmiss", "roaming"):
        assert word in tokens
    assert all(ln.startswith("\t") for ln in ours[1:])
    ssid = next(ln for ln in ours if ln.startswith("\tssid "))
    assert re.fullmatch(r"\tssid home channel 6 \(2437 MHz 11g\) bssid (\S+)", ssid)
    assert "\tparent interface: iwn0" in ours
    assert ours[-3:] == [
        "\tmedia: IEEE 802.11 Wireless Ethernet OFDM/54Mbps mode 11g",
        "\tstatus: associated",
        "\tnd6 options=829<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL,STABLEADDR>",
    ]


@pytest.mark.parametrize("release", ["7.0", "11.0", "12.0", "13.0", "14.0", "15.0"])
@pytest.mark.parametrize("radio", ["iwn", "rtwn", "ndis"])
def test_every_release_parses_back_to_its_state(release: str, radio: str) -> None:
    sim = Sim(NOWHERE, laptop.new_state(release, radio))
    laptop.power_on(sim)
    check_roundtrip(sim.state)
    wired = laptop.wired_name(sim.state)
    world.unplug(sim, wired)
    engine.settle(sim)
    check_roundtrip(sim.state)
    power.suspend(sim)
    engine.settle(sim)
    power.resume(sim)
    engine.settle(sim)
    check_roundtrip(sim.state)


def test_the_seed_laptop_prints_as_the_seed_capture() -> None:
    # fixtures/ifconfig/lagg-failover-ndis0-nfe0-seed-blog.txt, whose page
    # stripped the indentation and every <...>: compare with both stripped
    sim = Sim(NOWHERE, laptop.new_state("7.0", "ndis"))
    laptop.power_on(sim)
    world.unplug(sim, "nfe0")
    engine.settle(sim)
    capture = (IFCONFIG_FIXTURES / "lagg-failover-ndis0-nfe0-seed-blog.txt").read_text()
    want = [line for line in capture.splitlines() if not line.startswith("#")]

    def stripped(text: str) -> list[str]:
        return [re.sub(r"<[^>]*>", "", line).strip() for line in text.splitlines()]

    got = stripped(ifconfig_out.render_all(sim.state))
    for name in ("ndis0", "nfe0", "lagg0"):
        block = _flat_block(want, name)
        mine = _flat_block(got, name)
        shape = [re.split(r"[=: ]", line)[0] for line in block]
        assert [re.split(r"[=: ]", line)[0] for line in mine] == shape, (name, mine)
        assert [x for x in block if "options=" in x] == [x for x in mine if "options=" in x]
    lagg = _flat_block(got, "lagg0")
    assert "laggproto failover" in lagg
    assert lagg[-2:] == ["laggport: nfe0 flags=0", "laggport: ndis0 flags=5"]
    assert _flat_block(got, "nfe0")[2] == "ether 00:1a:73:73:92:34"  # the lagg MAC, ndis0's


def _flat_block(lines: list[str], name: str) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(r"^[a-z]+[0-9]+: flags=", lines[i])),
        len(lines),
    )
    return lines[start:end]
