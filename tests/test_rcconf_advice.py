"""The pitfall checks, the conflicts with a policy, and init's options."""

import shlex
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laggroam.config.policy import loads
from laggroam.rc.rcadvice import check_rc_conf, findings
from laggroam.rc.rcconf import Assignment, RcConf, parse_rc_text
from laggroam.rc.rcinit import init_from_rc_conf, write_policy
from laggroam.rc.rcmac import sysrc_command
from laggroam.rc.rcsetup import Setup, rc_var

SEED = (
    'ifconfig_nfe0="DHCP"\n'
    'ifconfig_ndis0="WPA DHCP"\n'
    'cloned_interfaces="lagg0"\n'
    'ifconfig_lagg0="laggproto failover laggport ndis0 laggport nfe0 DHCP"\n'
)
# The Handbook's: em0, the first port, wears wlan0's MAC from boot.
GOOD = (
    'ifconfig_em0="ether 20:0d:b0:c4:ab:59 up"\n'
    'wlans_iwn0="wlan0"\n'
    'ifconfig_wlan0="WPA"\n'
    'cloned_interfaces="lagg0"\n'
    'ifconfig_lagg0="up laggproto failover laggport em0 laggport wlan0 DHCP"\n'
)
POLICY = """\
[lagg0]
ports = em0 wlan0

[wlan0]
parent = iwn0
"""


def _setup(text: str) -> Setup:
    found, skipped = parse_rc_text(text, "rc")
    return Setup(RcConf(["rc"], found, skipped))


def _kinds(text: str, policy: str | None = None) -> list[tuple[str, int]]:
    loaded = loads(policy, "policy.ini") if policy is not None else None
    return [(f.kind, f.line) for f in findings(_setup(text), loaded)]


def _write(tmp_path: Path, text: str, name: str = "rc.conf") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_seed_setup_has_its_two_classic_mistakes() -> None:
    assert _kinds(SEED) == [("dhcp-on-member", 1), ("dhcp-on-member", 2), ("wireless-first", 4)]


def test_a_good_setup_has_no_finding_and_agrees_with_its_policy() -> None:
    assert _kinds(GOOD) == []
    assert _kinds(GOOD, POLICY) == []


def test_setup_reads_ports_protocol_and_wlans() -> None:
    setup = _setup(GOOD + 'create_args_wlan0="country FR"\n')
    (lagg,) = setup.laggs
    assert (lagg.name, lagg.ports, lagg.proto) == ("lagg0", ("em0", "wlan0"), "failover")
    assert setup.wlan_parent["wlan0"][0] == "iwn0"
    assert setup.radios == {"iwn0": ["wlan0"]}
    assert setup.is_wireless("wlan0") and setup.is_wireless("iwn0")
    assert not setup.is_wireless("em0")
    assert setup.ifconfig("em0").brought_up


def test_default_protocol_is_failover_and_minus_laggport_removes() -> None:
    setup = _setup(
        'cloned_interfaces="lagg0"\n'
        'ifconfig_lagg0="laggport em0 laggport wlan0 laggport em1 -laggport em1"\n'
    )
    assert (setup.laggs[0].proto, setup.laggs[0].ports) == ("failover", ("em0", "wlan0"))


def test_interface_names_map_to_variables_as_get_if_var_does() -> None:
    assert rc_var("ifconfig_", "vlan0.100") == "ifconfig_vlan0_100"
    setup = _setup('ifconfig_vlan0_100="up"\n')
    assert setup.ifconfig("vlan0.100").words == ("up",)


def test_ifconfig_default_applies_only_when_ifconfig_if_is_unset() -> None:
    setup = _setup('ifconfig_DEFAULT="DHCP"\nifconfig_em1=""\n')
    assert setup.ifconfig("em0").dhcp
    assert setup.ifconfig("em1").words == ()


@pytest.mark.parametrize(
    ("words", "up"),
    [
        ("up", True),
        ("ether 00:11:22:33:44:55", True),  # network.subr runs "ifconfig IF up" afterwards
        ("DHCP", True),
        ("WPA", True),  # wpa_supplicant marks it up
        ("HOSTAP", True),
        ("", False),
        ("NOAUTO", False),
        ("NOAUTO up", False),
    ],
)
def test_which_members_netif_brings_up(words: str, up: bool) -> None:
    assert _setup(f'ifconfig_em0="{words}"\n').ifconfig("em0").brought_up is up


def test_wireless_first_only_matters_for_failover() -> None:
    text = GOOD.replace("laggport em0 laggport wlan0", "laggport wlan0 laggport em0")
    assert _kinds(text) == [("wireless-first", 5)]
    assert _kinds(text.replace("failover", "loadbalance")) == []
    assert _kinds(text.replace("laggproto failover ", "")) == [("wireless-first", 5)]


def test_two_wireless_ports_are_not_wireless_first() -> None:
    text = GOOD.replace("laggport em0 laggport wlan0", "laggport wlan0 laggport wlan1")
    text += 'wlans_ath0="wlan1"\nifconfig_wlan1="WPA"\n'
    assert _kinds(text) == []


def test_each_pitfall_points_at_the_variable_to_change() -> None:
    text = (
        'ifconfig_em0="inet 10.0.0.2/24"\n'  # 1
        'ifconfig_ue0="SYNCDHCP"\n'  # 2
        'wlans_iwn0="wlan0"\n'  # 3
        'cloned_interfaces="bridge0"\n'  # 4
        'ifconfig_lagg0="WPA up laggport wlan1 laggport em0 laggport ue0 laggport iwn0 '
        'laggport em1 laggport wlan0"\n'  # 5
    )
    assert _kinds(text) == [
        ("address-on-member", 1),
        ("dhcp-on-member", 2),
        ("lagg-not-cloned", 5),
        ("wpa-on-lagg", 5),
        ("wireless-first", 5),
        ("wlan-not-created", 5),
        ("member-not-up", 5),  # wlan1: no ifconfig_wlan1
        ("radio-port", 5),
        ("member-not-up", 5),  # em1
        ("member-not-up", 5),  # wlan0
    ]


def test_port_names_and_shared_ports() -> None:
    text = (
        'ifconfig_em0="up"\nifconfig_em1="up"\ncloned_interfaces="lagg0 lagg1"\n'
        'ifconfig_lagg0="laggport em0 laggport bad$name"\n'
        'ifconfig_lagg1="laggport em1 laggport em0"\n'
    )
    found = findings(_setup(text.replace("$", "\\$")))
    assert [(f.kind, f.line) for f in found] == [("bad-port", 4), ("port-twice", 5)]
    assert "invalid interface name 'bad$name'" in found[0].message


def test_no_ports_is_fatal(tmp_path: Path) -> None:
    result = check_rc_conf([_write(tmp_path, 'cloned_interfaces="lagg0"\n')], None)
    assert result.fatal
    assert result.warnings == [
        f"{tmp_path / 'rc.conf'}:1: lagg0 has no laggport: a lagg without ports cannot "
        "carry any traffic"
    ]


def test_warnings_without_fatal_exit_zero(tmp_path: Path) -> None:
    result = check_rc_conf([_write(tmp_path, SEED)], None)
    assert not result.fatal
    assert result.warnings[0] == (
        f"{tmp_path / 'rc.conf'}:1: DHCP on nfe0, a port of lagg0: a second dhclient runs on "
        "the port and fights the one on lagg0; keep DHCP on lagg0 only"
    )
    assert len(result.warnings) == 3


def test_findings_follow_file_order_across_files(tmp_path: Path) -> None:
    rc = _write(tmp_path, GOOD)
    local = _write(tmp_path, 'ifconfig_em0="DHCP"\nrc_conf_files="/etc/rc.conf"\n', "local")
    result = check_rc_conf([rc, local], None)
    assert [(f.path, f.line, f.kind) for f in result.findings] == [
        (str(local), 1, "dhcp-on-member"),
        (str(local), 2, "rc-conf-files"),
    ]


# ---------------------------------------------------------------- policy conflicts


def test_conflicts_with_the_policy() -> None:
    text = GOOD.replace("laggport em0 laggport wlan0", "laggport wlan0 laggport em0 laggport ue0")
    text += 'ifconfig_ue0="up"\ncloned_interfaces="lagg0 lagg1"\nifconfig_lagg1="laggport em1"\n'
    text += 'ifconfig_em1="up"\n'
    policy = POLICY.replace("ports = em0 wlan0", "ports = em0 wlan0 re0\nproto = none")
    policy = policy.replace("parent = iwn0", "parent = ath0")
    found = findings(_setup(text), loads(policy, "policy.ini"))
    assert [(f.kind, f.line) for f in found] == [
        ("parent-differs", 2),
        ("wireless-first", 5),
        ("port-not-in-policy", 5),
        ("port-not-in-rc", 5),
        ("order-differs", 5),
        ("proto-differs", 5),
        ("lagg-not-in-policy", 8),
    ]
    messages = {f.kind: f.message for f in found}
    assert messages["port-not-in-policy"] == (
        "ue0 is a port of lagg0 here but not in the policy (policy.ini:1); "
        "laggroam and rc.conf disagree on it"
    )
    assert messages["port-not-in-rc"] == (
        "the policy (policy.ini:1) lists re0 for lagg0 but rc.conf does not add it"
    )
    assert messages["order-differs"] == (
        "lagg0 gets its ports in the order wlan0 em0 here but em0 wlan0 in the policy "
        "(policy.ini:1); the first is the primary"
    )
    assert messages["proto-differs"] == (
        "laggproto failover here but proto = none in the policy (policy.ini:1)"
    )
    assert messages["parent-differs"] == (
        "wlan0 is created on iwn0 here but on ath0 in the policy (policy.ini:5)"
    )
    assert messages["lagg-not-in-policy"] == (
        "lagg1 is set up here but the policy (policy.ini) has no [lagg1] section; "
        "laggroam leaves it alone"
    )


def test_dhcp_conflicts_with_the_policy() -> None:
    static = GOOD.replace(" DHCP", " inet 10.0.0.5/24")
    assert _kinds(static, POLICY) == [("dhcp-differs", 5)]
    no_dhcp = POLICY.replace("ports = em0 wlan0", "ports = em0 wlan0\ndhcp = no")
    assert _kinds(GOOD, no_dhcp) == [("dhcp-differs", 5)]
    assert _kinds(static, no_dhcp) == []


# ---------------------------------------------------------------- init


def test_init_puts_the_wired_port_first_unless_asked(tmp_path: Path) -> None:
    rc = _write(tmp_path, SEED)
    default = loads(init_from_rc_conf([rc]).policy_text)
    assert default.laggs[0].ports == ("nfe0", "ndis0")
    assert default.laggs[0].ether == "ndis0"
    wireless = init_from_rc_conf([rc], prefer_wireless_first=True)
    assert loads(wireless.policy_text).laggs[0].ports == ("ndis0", "nfe0")
    assert wireless.sysrc == [
        f'sysrc -f {rc} ifconfig_ndis0="WPA"',
        f'sysrc -f {rc} ifconfig_nfe0="up"',
    ]
    # Asked for, so not warned about.
    assert not any("before the wired" in w for w in wireless.warnings)
    assert any("before the wired" in w for w in init_from_rc_conf([rc]).warnings)


def test_init_moves_wpa_to_the_wlan_and_keeps_dhcp_on_the_lagg(tmp_path: Path) -> None:
    text = GOOD.replace('ifconfig_wlan0="WPA"', 'ifconfig_wlan0="DHCP"').replace(
        '"up laggproto', '"WPA up laggproto'
    )
    rc = _write(tmp_path, text)
    result = init_from_rc_conf([rc])
    policy = loads(result.policy_text)
    wlan = policy.wlan("wlan0")
    assert wlan is not None and wlan.wpa and wlan.parent == "iwn0"
    assert policy.laggs[0].dhcp
    assert result.sysrc == [
        f'sysrc -f {rc} ifconfig_wlan0="WPA"',
        f'sysrc -f {rc} ifconfig_lagg0="up laggproto failover laggport em0 laggport wlan0 DHCP"',
    ]


def test_init_without_sysrc_flag_for_etc_rc_conf() -> None:
    # The default file needs no -f (usr.sbin/sysrc/sysrc edits rc_conf_files).
    at = Assignment("ifconfig_em0", "DHCP", "/etc/rc.conf", 3)
    assert sysrc_command("ifconfig_em0", "up", at, "/etc/rc.conf") == 'sysrc ifconfig_em0="up"'
    assert sysrc_command("x", 'a"b', None, "/etc/rc.conf") == "sysrc 'x=a\"b'"
    local = Assignment("x", "1", "/etc/rc.conf.local", 1)
    assert sysrc_command("x", None, local, "/etc/rc.conf") == "sysrc -f /etc/rc.conf.local -x x"


def test_init_refuses_a_setup_without_a_usable_lagg(tmp_path: Path) -> None:
    result = init_from_rc_conf([_write(tmp_path, 'ifconfig_em0="DHCP"\n')])
    assert result.fatal and result.policy_text == "" and result.sysrc == []
    assert result.warnings == [f"{tmp_path / 'rc.conf'}:1: no lagg(4) is set up in the files read"]


def test_init_comments_pass_the_policy_loader_even_with_odd_values(tmp_path: Path) -> None:
    text = GOOD.replace('"up laggproto', '"up\tlaggproto') + 'create_args_wlan0="country FR;"\n'
    result = init_from_rc_conf([_write(tmp_path, text)])
    policy = loads(result.policy_text)
    assert policy.wlan("wlan0") is not None
    assert policy.wlan("wlan0").create_args == ()  # type: ignore[union-attr]
    assert result.warnings[-1].endswith(
        "create_args_wlan0 has words the policy cannot hold; left out of the policy"
    )


# ---------------------------------------------------------------- properties

_PORTS = ["em0", "em1", "re0", "ue0", "wlan0", "wlan1", "wifi0", "iwn0", "ath0", "ndis0", "lagg0"]
_MEMBER_WORDS = [
    "up",
    "DHCP",
    "SYNCDHCP",
    "WPA",
    "NOAUTO",
    "inet 10.0.0.2/24",
    "ether 02:00:00:00:00:01",
]
_LAGG_WORDS = ["up", "DHCP", "WPA", "laggproto failover", "laggproto lacp", "laggproto failovr"]


@st.composite
def _rc_conf(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for radio, wlan in (("iwn0", "wlan0"), ("ath0", "wifi0")):
        if draw(st.booleans()):
            lines.append(f'wlans_{radio}="{wlan}"')
    for port in _PORTS[:7]:
        if draw(st.booleans()):
            words = draw(st.lists(st.sampled_from(_MEMBER_WORDS), max_size=3))
            lines.append(f'ifconfig_{port}="{" ".join(words)}"')
    for lagg in ("lagg0", "lagg1"):
        ports = draw(st.lists(st.sampled_from(_PORTS), max_size=5))
        words = draw(st.lists(st.sampled_from(_LAGG_WORDS), max_size=3))
        words += [w for port in ports for w in ("laggport", port)]
        if draw(st.booleans()):
            words.append("inet 10.0.0.9/24")
        lines.append(f'ifconfig_{lagg}="{" ".join(draw(st.permutations(words)))}"')
    cloned = draw(st.lists(st.sampled_from(["lagg0", "lagg1", "bridge0"]), unique=True))
    lines.append(f'cloned_interfaces="{" ".join(cloned)}"')
    return "\n".join(draw(st.permutations(lines))) + "\n"


@settings(max_examples=150, deadline=None)
@given(text=_rc_conf(), wireless_first=st.booleans())
def test_init_always_writes_a_loadable_policy_and_consistent_sysrc(
    text: str, wireless_first: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rc = Path(tmp) / "rc.conf"
        rc.write_text(text)
        result = init_from_rc_conf([rc], prefer_wireless_first=wireless_first)
        if result.fatal:
            assert result.policy_text == "" and result.sysrc == []
            return
        policy = loads(result.policy_text, "generated.ini")
        fixed = text
        for command in result.sysrc:
            argv = shlex.split(command)
            assert argv[:3] == ["sysrc", "-f", str(rc)]
            if argv[3] == "-x":
                fixed += f"{argv[4]}=''\n"
            else:
                name, _, value = argv[3].partition("=")
                fixed += f"{name}={shlex.quote(value)}\n"
        rc.write_text(fixed)
        after = check_rc_conf([rc], policy)
        fixable = {
            "dhcp-on-member",
            "member-not-up",
            "lagg-not-cloned",
            "wpa-on-lagg",
            "port-not-in-policy",
            "port-not-in-rc",
            "proto-differs",
            "dhcp-differs",
            "parent-differs",
            "wireless-mac",
        }
        if not wireless_first:
            fixable.add("wireless-first")
            fixable.add("order-differs")
        # A lagg the policy could not hold (all its ports unusable) stays as it was.
        held = {lagg.name for lagg in policy.laggs}
        left = [str(f) for f in after.findings if f.kind in fixable and f.lagg in held]
        assert left == [], (text, result.sysrc)


def test_write_policy_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "laggroam.ini"
    write_policy(target, "[lagg0]\nports = em0\n")
    assert target.read_text() == "[lagg0]\nports = em0\n"
    assert target.stat().st_mode & 0o777 == 0o644
    with pytest.raises(FileExistsError):
        write_policy(target, "new\n")
    assert target.read_text() == "[lagg0]\nports = em0\n"
    write_policy(target, "new\n", force=True)
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laggroam.ini"]
