"""devd event lines split exactly as devd.cc process_event/chop_var/fix_value split them."""

from pathlib import Path

import pytest

from laggroam.devd.devdline import (
    MAX_LINE_BYTES,
    DevdEvent,
    DevdLineError,
    devd_timestamp,
    parse_event,
)

EVENTS = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "devd-events.txt"
TS = "1657576470.672852"


def _attach(name: str, bus: str, **extra: str) -> dict[str, str]:
    return {"device-name": name, **extra, "bus": bus}


def _notify(system: str, subsystem: str, type_: str, **extra: str) -> dict[str, str]:
    return {"system": system, "subsystem": subsystem, "type": type_, **extra}


# Every event line of the fixture -> the variables devd sets besides *, _ and timestamp.
EXPECTED: dict[str, tuple[str, dict[str, str]]] = {
    "!system=IFNET subsystem=ue0 type=ATTACH": ("notify", _notify("IFNET", "ue0", "ATTACH")),
    "!system=ETHERNET subsystem=ue0 type=IFATTACH": (
        "notify",
        _notify("ETHERNET", "ue0", "IFATTACH"),
    ),
    "!system=IFNET subsystem=rt0 type=ATTACH": ("notify", _notify("IFNET", "rt0", "ATTACH")),
    "!system=IFNET subsystem=rt28600 type=ATTACH": (
        "notify",
        _notify("IFNET", "rt28600", "ATTACH"),
    ),
    "!system=IFNET subsystem=lo0 type=ATTACH": ("notify", _notify("IFNET", "lo0", "ATTACH")),
    "+nvram2env0 at   on nexus0": ("attach", _attach("nvram2env0", "nexus0")),
    "+clock0 at   on nexus0": ("attach", _attach("clock0", "nexus0")),
    "+rt0 at   on nexus0": ("attach", _attach("rt0", "nexus0")),
    "+rt305x_sysctl0 at   on obio0": ("attach", _attach("rt305x_sysctl0", "obio0")),
    "+rt305x_ic0 at   on obio0": ("attach", _attach("rt305x_ic0", "obio0")),
    "+gpioc0 at pins=?  on gpiobus0": ("attach", _attach("gpioc0", "gpiobus0", pins="?")),
    "+gpioled1 at pins=?  on gpiobus0": ("attach", _attach("gpioled1", "gpiobus0", pins="?")),
    "+gpiobus0 at   on gpio0": ("attach", _attach("gpiobus0", "gpio0")),
    "+gpio0 at   on obio0": ("attach", _attach("gpio0", "obio0")),
    "+uart1 at   on obio0": ("attach", _attach("uart1", "obio0")),
    "+cfi0 at   on obio0": ("attach", _attach("cfi0", "obio0")),
    "+usbus0 at   on dotg0": ("attach", _attach("usbus0", "dotg0")),
    "+dotg0 at   on obio0": ("attach", _attach("dotg0", "obio0")),
    "+nexus0 at   on root0": ("attach", _attach("nexus0", "root0")),
    "!system=DEVFS subsystem=CDEV type=CREATE cdev=usbctl": (
        "notify",
        _notify("DEVFS", "CDEV", "CREATE", cdev="usbctl"),
    ),
    "!system=DEVFS subsystem=CDEV type=CREATE cdev=ugen0.1": (
        "notify",
        _notify("DEVFS", "CDEV", "CREATE", cdev="ugen0.1"),
    ),
    "!system=USB subsystem=DEVICE type=ATTACH ugen=ugen0.1 cdev=ugen0.1 vendor=0x0000 "
    "product=0x0000 devclass=0x09 devsubclass=0x00 sernum= release=0x0100 mode=host port=1 "
    "parent=dotg0": (
        "notify",
        _notify(
            "USB",
            "DEVICE",
            "ATTACH",
            ugen="ugen0.1",
            cdev="ugen0.1",
            vendor="0x0000",
            product="0x0000",
            devclass="0x09",
            devsubclass="0x00",
            sernum="",
            release="0x0100",
            mode="host",
            port="1",
            parent="dotg0",
        ),
    ),
    "!system=GPIO subsystem=pin14 type=PIN_LOW bus=gpiobus0 period=0": (
        "notify",
        _notify("GPIO", "pin14", "PIN_LOW", bus="gpiobus0", period="0"),
    ),
}


def _fixture_lines() -> list[str]:
    lines = EVENTS.read_text(encoding="utf-8").splitlines()
    return [ln for ln in lines if ln.strip() and not ln.startswith("#")]


def test_fixture_has_exactly_the_expected_lines() -> None:
    assert sorted(_fixture_lines()) == sorted(EXPECTED)


@pytest.mark.parametrize("line", _fixture_lines())
def test_every_fixture_line(line: str) -> None:
    kind, variables = EXPECTED[line]
    event = parse_event(line, timestamp=TS)
    assert event.kind == kind
    assert event.line == line
    assert dict(event.variables) == {"*": line, "_": line[1:], "timestamp": TS, **variables}


def test_attach_with_empty_location_fields() -> None:
    event = parse_event("+rt0 at   on nexus0", timestamp=TS)
    assert event.get("device-name") == "rt0"
    assert event.get("bus") == "nexus0"
    assert event.get("location") == ""


def test_detach_of_a_wifi_radio() -> None:
    event = parse_event(
        "-iwn0 at slot=0 function=0 dbsf=pci0:3:0:0 handle=\\_SB_.PCI0 on pci3\n", timestamp=TS
    )
    assert event.kind == "detach"
    assert dict(event.variables) == {
        "*": "-iwn0 at slot=0 function=0 dbsf=pci0:3:0:0 handle=\\_SB_.PCI0 on pci3",
        "_": "iwn0 at slot=0 function=0 dbsf=pci0:3:0:0 handle=\\_SB_.PCI0 on pci3",
        "timestamp": TS,
        "device-name": "iwn0",
        "slot": "0",
        "function": "0",
        "dbsf": "pci0:3:0:0",
        "handle": "\\_SB_.PCI0",
        "bus": "pci3",
    }


def test_nomatch_has_no_device_name() -> None:
    event = parse_event("? at slot=1 function=0 vendor=0x8086 on pci0", timestamp=TS)
    assert event.kind == "nomatch"
    assert "device-name" not in event.variables
    assert (event.get("slot"), event.get("vendor"), event.get("bus")) == ("1", "0x8086", "pci0")


def test_nomatch_drops_text_before_the_first_space() -> None:
    event = parse_event("?junk vendor=1 on usbus0", timestamp=TS)
    assert event.get("vendor") == "1"
    assert event.get("bus") == "usbus0"


def test_attach_without_at() -> None:
    event = parse_event("+ums0 vendor=0x046d on uhub0", timestamp=TS)
    assert (event.get("device-name"), event.get("vendor"), event.get("bus")) == (
        "ums0",
        "0x046d",
        "uhub0",
    )


def test_bus_is_the_whole_rest_of_the_line() -> None:
    event = parse_event("+x0 at a=1 on pci0 and more", timestamp=TS)
    assert event.get("bus") == "pci0 and more"


def test_quoted_values_keep_spaces_and_escaped_quotes() -> None:
    event = parse_event('!system=ZFS name="my pool" msg="say \\"hi\\" \\n" x=1', timestamp=TS)
    assert event.get("name") == "my pool"
    assert event.get("msg") == 'say "hi" \\n'  # fix_value drops only the \ before "
    assert event.get("x") == "1"


def test_fix_value_also_applies_to_star_and_underscore() -> None:
    event = parse_event('!a="q\\"q"', timestamp=TS)
    assert event.get("*") == '!a="q"q"'
    assert event.get("_") == 'a="q"q"'
    assert event.line == '!a="q\\"q"'


def test_parsing_stops_at_the_first_token_that_is_not_a_pair() -> None:
    event = parse_event("!system=IFNET subsystem=em0 junk type=LINK_UP", timestamp=TS)
    assert event.get("subsystem") == "em0"
    assert "type" not in event.variables


def test_unterminated_quote_stops_parsing_and_sets_nothing() -> None:
    event = parse_event('!a=1 b="open c=3', timestamp=TS)
    assert event.get("a") == "1"
    assert "b" not in event.variables
    assert "c" not in event.variables


def test_notify_must_start_right_after_the_bang() -> None:
    event = parse_event("! system=IFNET", timestamp=TS)
    assert "system" not in event.variables


def test_pairs_override_builtins_and_earlier_pairs() -> None:
    event = parse_event("!_=mine timestamp=0 a=1 a=2", timestamp=TS)
    assert event.get("_") == "mine"
    assert event.get("timestamp") == "0"
    assert event.get("a") == "2"


def test_empty_key_and_empty_value() -> None:
    event = parse_event("!=v k= z=1", timestamp=TS)
    assert event.get("") == "v"
    assert event.get("k") == ""
    assert event.get("z") == "1"


def test_quoted_value_may_be_followed_directly_by_a_pair() -> None:
    event = parse_event('!a="x"b=2', timestamp=TS)
    assert (event.get("a"), event.get("b")) == ("x", "2")


def test_bytes_input_and_trailing_newlines() -> None:
    event = parse_event(b"!system=IFNET subsystem=em0 type=LINK_DOWN\n\n", timestamp=TS)
    assert event.line == "!system=IFNET subsystem=em0 type=LINK_DOWN"
    assert event.get("type") == "LINK_DOWN"


def test_default_timestamp_has_devd_format() -> None:
    ts = parse_event("!a=1").get("timestamp")
    sec, usec = ts.split(".")
    assert sec.isdigit() and int(sec) > 1_600_000_000
    assert len(usec) == 6 and usec.isdigit()


def test_devd_timestamp_format() -> None:
    assert devd_timestamp(1_657_576_470_672_852_999) == "1657576470.672852"
    assert devd_timestamp(5_000_001_000) == "5.000001"


def test_events_compare_by_value() -> None:
    a = parse_event("!a=1", timestamp=TS)
    b = parse_event("!a=1", timestamp=TS)
    assert a == b and hash(a) == hash(b)
    assert a != parse_event("!a=1", timestamp="2.000000")
    assert isinstance(a, DevdEvent)


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("", "empty"),
        ("\n", "empty"),
        ("system=IFNET", "starts with 's'"),
        ("*x", "starts with '*'"),
        ("+rt0", "no space"),
        ("-iwn0", "no space"),
        ("?", "no space"),
        ("!a=1\0b=2", "NUL"),
        ("!a=" + "x" * MAX_LINE_BYTES, "bytes"),
    ],
)
def test_bad_lines(line: str, fragment: str) -> None:
    with pytest.raises(DevdLineError) as info:
        parse_event(line, timestamp=TS)
    assert fragment in str(info.value)


def test_record_size_boundary() -> None:
    ok = "!a=" + "x" * (MAX_LINE_BYTES - 3)
    assert len(ok) == MAX_LINE_BYTES == 1014
    assert parse_event(ok, timestamp=TS).get("a") == "x" * (MAX_LINE_BYTES - 3)
    with pytest.raises(DevdLineError):
        parse_event(ok + "x", timestamp=TS)
    with pytest.raises(DevdLineError):  # counted in bytes, not characters
        parse_event(ok[:-1] + "é", timestamp=TS)


def test_non_utf8_bytes() -> None:
    with pytest.raises(DevdLineError, match="not UTF-8"):
        parse_event(b"!a=\xff", timestamp=TS)
