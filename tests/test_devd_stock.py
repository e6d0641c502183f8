"""The stock FreeBSD networking rules: what devd runs for a laptop's events, and shadowing."""

from pathlib import Path

import pytest

from laggroam.devd.devdconf import Config, load_config, load_devd, parse_text
from laggroam.devd.devdline import parse_event
from laggroam.devd.devdmatch import explain, find_rule, find_rule_excluding, rule_commands
from laggroam.devd.stockdevd import (
    DEVD_CONF,
    DHCLIENT_CONF,
    STOCK_DEVD_CONF,
    WIFI_DRIVER_REGEX,
    stock_files,
)

MEDIA = {"em0": "Ethernet", "ue0": "Ethernet", "lagg0": "Ethernet", "wlan0": "802.11"}


def media_of(ifname: str) -> str | None:
    return MEDIA.get(ifname)


def _install(root: Path, layout: str, extra: dict[str, str] | None = None) -> Config:
    for path, text in {**stock_files(layout), **(extra or {})}.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return load_devd(root / "etc/devd.conf", root=root, order="sorted")


@pytest.fixture(params=["14", "15"])
def stock(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    return _install(tmp_path, request.param)


def commands(config: Config, line: str) -> tuple[str, ...] | None:
    event = parse_event(line, timestamp="1.000000")
    rule = find_rule(config, event, media_of)
    return None if rule is None else rule_commands(config, rule, event)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("!system=IFNET subsystem=em0 type=LINK_UP", ("service dhclient quietstart $'em0'",)),
        ("!system=IFNET subsystem=wlan0 type=LINK_UP", ("service dhclient quietstart $'wlan0'",)),
        ("!system=IFNET subsystem=lagg0 type=LINK_UP", ("service dhclient quietstart $'lagg0'",)),
        ("!system=IFNET subsystem=lo0 type=LINK_UP", None),  # no media: neither rule
        ("!system=IFNET subsystem=em0 type=LINK_DOWN", None),
        ("!system=IFNET subsystem=ue0 type=ATTACH", ("/etc/pccard_ether $'ue0' start",)),
        ("!system=IFNET subsystem=wlan0 type=ATTACH", None),
        ("!system=IFNET subsystem=usbus1 type=ATTACH", None),
        ("!system=IFNET subsystem=wlan0 type=DETACH", None),
        ("!system=ETHERNET subsystem=ue0 type=IFATTACH", None),
        (
            "+iwn0 at slot=0 function=0 dbsf=pci0:3:0:0 on pci3",
            ("/etc/pccard_ether $'iwn0' startchildren",),
        ),
        ("+iwlwifi0 at slot=0 on pci2", ("/etc/pccard_ether $'iwlwifi0' startchildren",)),
        ("-rtwn0 at port=3 on uhub1", ("/etc/pccard_ether $'rtwn0' stopchildren",)),
        ("+em0 at slot=0 on pci1", None),
        ("+iwn at slot=0 on pci3", None),
        (
            "!system=ACPI subsystem=Suspend type=Suspend notify=0x03",
            ("/etc/rc.suspend acpi $'0x03'",),
        ),
        (
            "!system=ACPI subsystem=Resume type=Resume notify=0x03",
            ("/etc/rc.resume acpi $'0x03'",),
        ),
    ],
)
def test_stock_rules(stock: Config, line: str, expected: tuple[str, ...] | None) -> None:
    assert commands(stock, line) == expected


def test_link_up_on_em0_is_the_ethernet_rule(tmp_path: Path) -> None:
    cfg = _install(tmp_path, "14")
    event = parse_event("!system=IFNET subsystem=em0 type=LINK_UP", timestamp="1.000000")
    rule = find_rule(cfg, event, media_of)
    assert rule is not None
    assert [t.name for t in rule.tests if hasattr(t, "name")] == ["ethernet"]
    assert rule_commands(cfg, rule, event) == ("service dhclient quietstart $'em0'",)


def test_stock_text_is_clean_devd() -> None:
    for text in (STOCK_DEVD_CONF, DEVD_CONF, DHCLIENT_CONF):
        assert parse_text(text).warnings == ()
    cf = parse_text(STOCK_DEVD_CONF, "/etc/devd.conf")
    assert cf.directories == ("/etc/devd", "/usr/local/etc/devd")
    assert cf.pid_file == "/var/run/devd.pid"
    assert cf.sets == (("wifi-driver-regex", WIFI_DRIVER_REGEX),)
    assert [(r.kind, r.priority) for r in cf.rules] == [
        ("notify", 0),
        ("notify", 0),
        ("attach", 0),
        ("detach", 0),
        ("notify", 0),
        ("notify", 10),
        ("notify", 10),
    ]


def test_layouts() -> None:
    assert set(stock_files("14")) == {"/etc/devd.conf"}
    assert set(stock_files("15")) == {"/etc/devd.conf", "/etc/devd/dhclient.conf"}
    with pytest.raises(ValueError, match="unknown stock devd layout"):
        stock_files("13")


HOOK = (
    "notify 100 {\n"
    '\tmatch "system"\t\t"IFNET";\n'
    '\tmatch "type"\t\t"(LINK_UP|LINK_DOWN|ATTACH|DETACH)";\n'
    '\taction "/usr/local/libexec/laggroam/hook $type $subsystem";\n'
    "};\n"
)


@pytest.mark.parametrize("layout", ["14", "15"])
def test_a_hook_shadows_the_stock_rule_and_chains_to_it(tmp_path: Path, layout: str) -> None:
    snippet = "/usr/local/etc/devd/laggroam.conf"
    cfg = _install(tmp_path, layout, {snippet: HOOK})
    event = parse_event("!system=IFNET subsystem=em0 type=LINK_UP", timestamp="1.000000")
    assert commands(cfg, event.line) == ("/usr/local/libexec/laggroam/hook $'LINK_UP' $'em0'",)
    mine = tmp_path / snippet.lstrip("/")
    stock_rule = find_rule_excluding(cfg, event, media_of, [mine])
    assert stock_rule is not None
    assert rule_commands(cfg, stock_rule, event) == ("service dhclient quietstart $'em0'",)
    expl = explain(cfg, event, media_of)
    assert expl.chosen is not None and expl.chosen.path == str(mine)
    assert any(rc.rule is stock_rule and rc.matched and not rc.reached for rc in expl.candidates)


def test_load_config_of_the_two_stock_files(tmp_path: Path) -> None:
    (tmp_path / "devd.conf").write_text(DEVD_CONF)
    (tmp_path / "devd").mkdir()
    (tmp_path / "devd" / "dhclient.conf").write_text(DHCLIENT_CONF)
    cfg = load_config([tmp_path / "devd.conf", tmp_path / "devd"])
    assert commands(cfg, "!system=IFNET subsystem=wlan0 type=LINK_UP") == (
        "service dhclient quietstart $'wlan0'",
    )
