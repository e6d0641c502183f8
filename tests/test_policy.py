"""Good policies, the defaults, the helpers and load()."""

import os
import re
from pathlib import Path

import pytest

from laggroam.config.policy import (
    _KIND_KEYS,
    DEFAULT_PATH,
    LAGG_PROTOS,
    LOG_LEVELS,
    LOG_TARGETS,
    RENEW_DHCP,
    RESTART_WPA,
    DaemonPolicy,
    LaggPolicy,
    PolicyErrors,
    WlanPolicy,
    load,
    loads,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "conf" / "laggroam.ini.sample"


def test_minimal_policy_gets_every_default() -> None:
    policy = loads("[lagg0]\nports = em0\n", "p.ini")
    assert policy.path == "p.ini"
    assert policy.daemon == DaemonPolicy(
        debounce=0.3,
        socket="/var/run/laggroam.sock",
        state_dir="/var/db/laggroam",
        log="syslog",
        log_level="info",
        interval=60.0,
        group=None,
        max_delay=5.0,
    )
    assert policy.laggs == (
        LaggPolicy(
            name="lagg0",
            ports=("em0",),
            proto="failover",
            ether="keep",
            ether_defaulted=True,
            dhcp=True,
            renew_dhcp="on-failover",
            failback_hold=0.0,
            line=1,
        ),
    )
    assert policy.wlans == ()


def test_wlan_defaults() -> None:
    policy = loads("[lagg0]\nports = em0 wlan0\n\n[wlan0]\nparent = iwn0\n")
    assert policy.wlans == (
        WlanPolicy(
            name="wlan0",
            parent="iwn0",
            wpa=True,
            wpa_conf="/etc/wpa_supplicant.conf",
            restart_wpa=frozenset({"on-attach", "on-resume", "on-stuck"}),
            stuck_after=20.0,
            create_args=(),
            line=4,
        ),
    )


EVERY_KEY = """\
[daemon]
debounce = 150ms
socket = /var/run/lr.sock
state_dir = /var/db/lr
log = stderr
log_level = debug
interval = 0
group = operator
max_delay = 2m

[uplink]
ports = igb0 igb1
proto = lacp
ether = 02:AA:bb:CC:dd:01
dhcp = no
renew_dhcp = never
failback_hold = 1.5s

[wlan3]
parent = ath0
wpa = off
wpa_conf = /usr/local/etc/wpa.conf
restart_wpa = none
stuck_after = 1m
create_args = country FR wlanaddr 00:11:22:33:44:55 -bgscan
"""


def test_every_key_is_read() -> None:
    policy = loads(EVERY_KEY)
    assert policy.daemon == DaemonPolicy(
        debounce=0.15,
        socket="/var/run/lr.sock",
        state_dir="/var/db/lr",
        log="stderr",
        log_level="debug",
        interval=0.0,
        group="operator",
        max_delay=120.0,
    )
    (lagg,) = policy.laggs
    assert lagg == LaggPolicy(
        name="uplink",
        ports=("igb0", "igb1"),
        proto="lacp",
        ether="02:aa:bb:cc:dd:01",
        ether_defaulted=False,
        dhcp=False,
        renew_dhcp="never",
        failback_hold=1.5,
        line=11,
    )
    (wlan,) = policy.wlans
    assert wlan == WlanPolicy(
        name="wlan3",
        parent="ath0",
        wpa=False,
        wpa_conf="/usr/local/etc/wpa.conf",
        restart_wpa=frozenset(),
        stuck_after=60.0,
        create_args=("country", "FR", "wlanaddr", "00:11:22:33:44:55", "-bgscan"),
        line=19,
    )


@pytest.mark.parametrize(
    "proto", ["failover", "lacp", "loadbalance", "roundrobin", "broadcast", "none"]
)
def test_every_lagg_protocol_is_accepted(proto: str) -> None:
    assert loads(f"[lagg0]\nports = em0\nproto = {proto}\n").laggs[0].proto == proto


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("yes", True),
        ("No", False),
        ("TRUE", True),
        ("false", False),
        ("on", True),
        ("off", False),
        ("1", True),
        ("0", False),
    ],
)
def test_booleans_are_configparsers(word: str, value: bool) -> None:
    assert loads(f"[lagg0]\nports = em0\ndhcp = {word}\n").laggs[0].dhcp is value


def test_comments_inline_comments_and_blank_lines() -> None:
    text = """\
# a comment
; another comment

[lagg0]          ; the header may carry a comment
ports = em0 wlan0  ; inline after a value
  # an indented comment line
proto = failover # hash comments work inline too
dhcp = yes;not-a-comment-without-a-space-before-it-so-this-is-refused
"""
    with pytest.raises(PolicyErrors) as info:
        loads(text)
    assert [e.line for e in info.value.errors] == [8]
    policy = loads(text.replace(";not-a-comment", " ;a-comment"))
    assert policy.laggs[0].ports == ("em0", "wlan0")
    assert policy.laggs[0].proto == "failover"


def test_ports_may_continue_on_indented_lines() -> None:
    policy = loads("[lagg0]\nports = em0\n    ue0   ; the dongle\n\twlan0\nproto = failover\n")
    assert policy.laggs[0].ports == ("em0", "ue0", "wlan0")
    assert policy.laggs[0].primary == "em0"
    policy = loads("[lagg0]\nports =\n  em0\n  wlan0\n")
    assert policy.laggs[0].ports == ("em0", "wlan0")


def test_keys_are_case_insensitive_section_names_are_not() -> None:
    policy = loads("[LAGG0]\nPorts = em0\nProto = lacp\n")
    assert policy.laggs[0].name == "LAGG0"
    assert policy.laggs[0].proto == "lacp"


def test_crlf_and_byte_order_mark() -> None:
    text = "\ufeff[lagg0]\r\nports = em0 wlan0\r\n\r\n[wlan0]\r\nparent = iwn0\r\n"
    policy = loads(text.encode("utf-8"))
    assert policy.laggs[0].ports == ("em0", "wlan0")
    assert policy.wlans[0].line == 4


def test_ether_defaults_to_the_first_port_with_a_wlan_section() -> None:
    policy = loads("[lagg0]\nports = em0 wlan1 wlan2\n[wlan2]\nparent = iwm0\n")
    assert (policy.laggs[0].ether, policy.laggs[0].ether_defaulted) == ("wlan2", True)


def test_ether_defaults_to_a_port_named_wlan_n() -> None:
    policy = loads("[lagg0]\nports = em0 ue0 wlan3\n")
    assert (policy.laggs[0].ether, policy.laggs[0].ether_defaulted) == ("wlan3", True)


def test_ether_defaults_to_keep_without_a_wireless_port() -> None:
    policy = loads("[lagg0]\nports = em0 em1\n")
    assert (policy.laggs[0].ether, policy.laggs[0].ether_defaulted) == ("keep", True)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("em0", "em0"),
        ("keep", "keep"),
        ("wlan0", "wlan0"),
        ("A4:02:B9:A7:CE:25", "a4:02:b9:a7:ce:25"),
    ],
)
def test_ether_given(written: str, stored: str) -> None:
    lagg = loads(f"[lagg0]\nports = em0 wlan0\nether = {written}\n").laggs[0]
    assert (lagg.ether, lagg.ether_defaulted) == (stored, False)


def test_no_dhcp_means_no_renewal_by_default() -> None:
    lagg = loads("[lagg0]\nports = em0\ndhcp = no\n").laggs[0]
    assert (lagg.dhcp, lagg.renew_dhcp) == (False, "never")


@pytest.mark.parametrize("renew", ["never", "on-failover", "on-link-up"])
def test_renew_dhcp_values(renew: str) -> None:
    assert loads(f"[lagg0]\nports = em0\nrenew_dhcp = {renew}\n").laggs[0].renew_dhcp == renew


def test_restart_wpa_subset() -> None:
    text = "[lagg0]\nports = em0 wlan0\n[wlan0]\nparent = iwn0\nrestart_wpa = on-resume\n"
    assert loads(text).wlans[0].restart_wpa == frozenset({"on-resume"})


@pytest.mark.parametrize("group", ["wheel", "network", "_laggroam", "net.admins", "samba$"])
def test_group_names(group: str) -> None:
    assert loads(f"[lagg0]\nports = em0\n[daemon]\ngroup = {group}\n").daemon.group == group


def test_a_wlan_outside_any_lagg_is_allowed() -> None:
    policy = loads("[lagg0]\nports = em0\n[wlan0]\nparent = iwn0\n")
    assert policy.wlan("wlan0") is not None
    assert policy.lagg_of("wlan0") is None


def test_two_laggs_and_the_helpers() -> None:
    policy = loads(
        "[lagg0]\nports = em0 wlan0\n[lagg1]\nports = igb0 igb1\nproto = lacp\n"
        "[wlan0]\nparent = iwn0\n"
    )
    lagg0, lagg1 = policy.laggs
    assert policy.lagg("lagg1") is lagg1
    assert policy.lagg("lagg9") is None
    assert policy.lagg_of("wlan0") is lagg0
    assert policy.lagg_of("igb1") is lagg1
    assert policy.lagg_of("iwn0") is None
    assert policy.wlan("wlan0") is policy.wlans[0]
    assert policy.wlan("wlan1") is None


def test_policy_objects_are_frozen() -> None:
    policy = loads("[lagg0]\nports = em0\n")
    with pytest.raises(AttributeError):
        policy.laggs[0].proto = "lacp"  # type: ignore[misc]


def test_the_sample_is_valid_and_is_the_roaming_laptop() -> None:
    policy = loads(SAMPLE.read_bytes(), str(SAMPLE))
    (lagg,) = policy.laggs
    assert lagg.name == "lagg0"
    assert lagg.ports == ("em0", "wlan0")
    assert (lagg.proto, lagg.ether, lagg.dhcp, lagg.renew_dhcp) == (
        "failover",
        "wlan0",
        True,
        "on-failover",
    )
    (wlan,) = policy.wlans
    assert (wlan.name, wlan.parent, wlan.wpa) == ("wlan0", "iwn0", True)
    assert policy.daemon == DaemonPolicy()


def test_the_samples_commented_daemon_section_holds_the_defaults() -> None:
    lines = SAMPLE.read_text().splitlines()
    start = lines.index("#[daemon]")
    block = []
    for line in lines[start:]:
        if not line.startswith("#"):
            break
        if not line.startswith("# "):
            block.append(line[1:])
    text = "\n".join(block).replace("group = wheel", "")
    assert len(block) == 9
    assert loads("[lagg0]\nports = em0\n" + text + "\n").daemon == DaemonPolicy()


# ---------------------------------------------------------------- load()


def test_default_path() -> None:
    assert DEFAULT_PATH == "/usr/local/etc/laggroam/laggroam.ini"


def test_load_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "laggroam.ini"
    path.write_text("[lagg0]\nports = em0\n")
    assert load(path).path == str(path)
    assert load(str(path)).laggs[0].ports == ("em0",)


def test_load_reports_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "laggroam.ini"
    path.write_bytes(b"[lagg0]\nports = em0\nproto = \xff\n")
    with pytest.raises(PolicyErrors) as info:
        load(path)
    assert str(info.value) == f"{path}:3: not UTF-8: invalid byte 0xff"


def test_load_huge_file(tmp_path: Path) -> None:
    path = tmp_path / "laggroam.ini"
    path.write_bytes(b"[lagg0]\nports = em0\n" + b"#" * (1 << 20))
    with pytest.raises(PolicyErrors) as info:
        load(path)
    assert [(e.line, e.message) for e in info.value.errors] == [
        (1, "file is larger than 1048576 bytes; not a policy")
    ]


def test_load_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.ini")


def test_load_directory_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        load(tmp_path)


def test_load_symlink_loop_raises_oserror(tmp_path: Path) -> None:
    loop = tmp_path / "loop.ini"
    loop.symlink_to(loop)
    with pytest.raises(OSError, match=r"loop|Too many levels"):
        load(loop)


def test_load_fifo_is_not_a_regular_file_and_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.ini"
    os.mkfifo(fifo)
    with pytest.raises(PolicyErrors) as info:
        load(fifo)
    assert [(e.line, e.message) for e in info.value.errors] == [(1, "not a regular file")]


# ---------------------------------------------------------------- documentation

MAN = ROOT / "man" / "laggroam.ini.5"


@pytest.mark.parametrize("kind", sorted(_KIND_KEYS))
def test_every_key_is_in_the_man_page_and_the_sample(kind: str) -> None:
    man = MAN.read_text()
    sample = SAMPLE.read_text()
    for key in _KIND_KEYS[kind]:
        assert f"\n.It Cm {key} No = " in man, key
        assert f"\n{key} = " in sample or f"\n#{key} = " in sample, key


def test_every_protocol_and_choice_is_in_the_man_page() -> None:
    man = MAN.read_text()
    for word in (*LAGG_PROTOS, *RENEW_DHCP, *RESTART_WPA, *LOG_LEVELS, *LOG_TARGETS):
        assert re.search(rf"(?m)^\.(It )?Cm .*(?<![\w-]){re.escape(word)}(?![\w-])", man), word
