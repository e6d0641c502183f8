"""A lagg wearing another MAC than the policy's: status and the planner say what fixing it costs."""

from dataclasses import replace

from hosts import EM_MAC, WLAN_MAC, em0, lagg0, laptop, port, with_interfaces, wlan0

from laggroam.admin.report import render_text
from laggroam.config import policy
from laggroam.core.action import SetEther
from laggroam.core.memory import Memory
from laggroam.core.plan import plan

POLICY = "[lagg0]\nports = em0 wlan0\nether = wlan0\n[wlan0]\nparent = iwn0\n"


def booted_without_the_fix():  # type: ignore[no-untyped-def]
    """lagg0 took em0's own MAC at boot (em0 joined first) and leased an address for it."""
    return with_interfaces(
        laptop(),
        em0(ether=EM_MAC),
        wlan0(ether=EM_MAC),
        lagg0(port("em0", "MASTER", "ACTIVE"), port("wlan0"), ether=EM_MAC),
    )


def test_status_says_correcting_the_mac_changes_the_dhcp_identity() -> None:
    text = render_text(booted_without_the_fix(), {"lagg0": ("em0", "wlan0")}, {"lagg0": WLAN_MAC})
    (warning,) = [line for line in text.splitlines() if "the policy wants" in line]
    assert warning.startswith(f"warning: lagg0 wears {EM_MAC}, the policy wants {WLAN_MAC}")
    assert "changes the DHCP client identity of lagg0, which holds 192.168.1.10/24" in warning


def test_the_mac_change_of_a_leased_lagg_says_the_address_may_change_and_the_fix() -> None:
    host = booted_without_the_fix()
    # wlan0's own MAC is its hwaddr while it wears the lagg's
    host = with_interfaces(
        host, em0(ether=EM_MAC), replace(wlan0(ether=EM_MAC), hwaddr=WLAN_MAC), host.interfaces[2]
    )
    result = plan(policy.loads(POLICY), host, Memory(), [], 0.0)
    (mac,) = [a for a in result.actions if isinstance(a, SetEther)]
    assert mac.target == "lagg0" and mac.mac == WLAN_MAC
    assert "holds the lease 192.168.1.10/24 for its current MAC" in mac.reason
    assert "the address may change" in mac.reason
    assert f'add "ether {WLAN_MAC}" to ifconfig_em0 in rc.conf' in mac.reason
    assert "the Wi-Fi association drops" in mac.reason


def test_a_reorder_without_hwaddr_sets_the_lagg_mac_back_after_the_primary_leaves() -> None:
    # FreeBSD 7's ifconfig prints no hwaddr: em0's own MAC, the one lagg0 takes
    # when wlan0 (the primary) leaves, cannot be seen; lagg0 is set back at once.
    host = with_interfaces(
        laptop(),
        replace(em0(ether=WLAN_MAC), hwaddr=None),
        wlan0(),
        lagg0(port("em0", "ACTIVE"), port("wlan0", "MASTER")),
    )
    result = plan(policy.loads(POLICY), host, Memory(), [], 0.0)
    assert [a.command() for a in result.actions] == [
        "ifconfig lagg0 -laggport wlan0",
        f"ifconfig lagg0 ether {WLAN_MAC}",
        "ifconfig lagg0 laggport wlan0",
    ]
    reason = result.actions[1].reason
    assert "which ifconfig does not show" in reason and "keeps its DHCP identity" in reason
