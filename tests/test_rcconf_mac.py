"""The MAC a lagg wears at boot against the one the policy's ``ether`` imposes."""

from pathlib import Path

from laggroam.config.policy import loads
from laggroam.rc.rcadvice import check_rc_conf, findings
from laggroam.rc.rcconf import RcConf, parse_rc_text
from laggroam.rc.rcinit import init_from_rc_conf
from laggroam.rc.rcsetup import Setup

WLAN_MAC = "20:0d:b0:c4:ab:59"
EM_MAC = "b8:8a:60:de:c4:1b"
HOST = {"em0": EM_MAC, "wlan0": WLAN_MAC}
PLAIN = (
    'ifconfig_em0="up"\n'
    'wlans_iwn0="wlan0"\n'
    'ifconfig_wlan0="WPA"\n'
    'cloned_interfaces="lagg0"\n'
    'ifconfig_lagg0="up laggproto failover laggport em0 laggport wlan0 DHCP"\n'
)
FIXED = PLAIN.replace('ifconfig_em0="up"', f'ifconfig_em0="ether {WLAN_MAC} up"')
POLICY = "[lagg0]\nports = em0 wlan0\nether = wlan0\n[wlan0]\nparent = iwn0\n"


def _mac_findings(text: str, policy: str = POLICY, host: dict[str, str] | None = None) -> list[str]:
    found, skipped = parse_rc_text(text, "/etc/rc.conf")
    setup = Setup(RcConf(["/etc/rc.conf"], found, skipped))
    pol = loads(policy, "laggroam.ini")
    return [str(f) for f in findings(setup, pol, host) if f.kind == "mac-differs"]


def test_the_handbook_rc_conf_without_the_ether_line_is_named_with_its_fix() -> None:
    (message,) = _mac_findings(PLAIN, host=HOST)
    assert message.startswith("/etc/rc.conf:1: lagg0 boots wearing em0's MAC (b8:8a:60:de:c4:1b)")
    assert "the policy's ether = wlan0 (laggroam.ini:1)" in message
    assert "the address changes at every boot" in message
    assert message.endswith(f'fix: sysrc ifconfig_em0="ether {WLAN_MAC} up"')


def test_without_the_host_the_two_own_macs_still_differ() -> None:
    (message,) = _mac_findings(PLAIN)
    assert message.endswith(
        """fix: sysrc ifconfig_em0="ether <wlan0's MAC, from ifconfig wlan0> up\""""
    )


def test_the_fixed_rc_conf_agrees() -> None:
    assert _mac_findings(FIXED, host=HOST) == []
    # a MAC rc.conf spells cannot be compared with wlan0's without the host: no claim
    assert _mac_findings(FIXED) == []
    assert _mac_findings(FIXED.replace(WLAN_MAC, "02:00:00:00:00:01"), host=HOST) != []


def test_ether_keep_or_a_literal_the_boot_wears_agrees() -> None:
    assert _mac_findings(PLAIN, POLICY.replace("ether = wlan0", "ether = keep")) == []
    assert _mac_findings(FIXED, POLICY.replace("ether = wlan0", f"ether = {WLAN_MAC}")) == []
    assert _mac_findings(PLAIN, POLICY.replace("ether = wlan0", "ether = em0")) == []


def test_wlanaddr_gives_the_wlan_its_mac_at_boot() -> None:
    text = PLAIN + f'create_args_wlan0="wlanaddr {EM_MAC}"\n'
    assert _mac_findings(text, host={"em0": EM_MAC}) == []


def test_check_rc_conf_passes_the_host_macs(tmp_path: Path) -> None:
    rc = tmp_path / "rc.conf"
    rc.write_text(PLAIN)
    pol = loads(POLICY, "laggroam.ini")
    result = check_rc_conf([rc], pol, HOST)
    assert any(f'ifconfig_em0="ether {WLAN_MAC} up"' in w for w in result.warnings)
    assert not result.fatal


def test_init_gives_the_first_port_the_wireless_mac(tmp_path: Path) -> None:
    rc = tmp_path / "rc.conf"
    rc.write_text(PLAIN)
    result = init_from_rc_conf([rc], own_macs=HOST)
    assert f'sysrc -f {rc} ifconfig_em0="ether {WLAN_MAC} up"' in result.sysrc
    policy = loads(result.policy_text)
    assert policy.laggs[0].ether == "wlan0"
    # after the advice, boot and policy agree
    rc.write_text(FIXED)
    assert not any(f.kind == "mac-differs" for f in check_rc_conf([rc], policy, HOST).findings)


def test_init_on_the_fixed_rc_conf_agrees_from_the_first_boot(tmp_path: Path) -> None:
    rc = tmp_path / "rc.conf"
    rc.write_text(FIXED)
    result = init_from_rc_conf([rc])
    assert result.sysrc == []
    policy = loads(result.policy_text)
    assert policy.laggs[0].ether == WLAN_MAC
    assert not any(f.kind == "mac-differs" for f in check_rc_conf([rc], policy).findings)
