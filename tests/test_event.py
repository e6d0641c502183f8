"""Events: parsed from --event text and from devd's variables; names validated."""

import pytest

from laggroam.core.event import Event, EventError, from_devd, parse_event_text


def test_parse_event_forms() -> None:
    assert parse_event_text("LINK_DOWN em0") == Event("LINK_DOWN", "em0")
    assert parse_event_text("link_up  wlan0 ") == Event("LINK_UP", "wlan0")
    assert parse_event_text("RESUME") == Event("RESUME")
    assert str(parse_event_text("attach wlan0")) == "ATTACH wlan0"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "expected 'KIND [INTERFACE]'"),
        ("LINK_UP", "needs an interface name"),
        ("RESUME em0", "takes no interface"),
        ("REBOOT em0", "is not one of"),
        ("SUSPEND", "is not one of"),
        ("DEV_ATTACH iwn0", "is not one of"),
        ("LINK_UP em0;reboot", "invalid interface name"),
        ("LINK_UP $(id)", "invalid interface name"),
        ("LINK_UP " + "a" * 40, "longer than 15"),
        ("LINK_UP em0 em1", "expected 'KIND [INTERFACE]'"),
        ("LINK_UP ém0", "invalid interface name"),
        ("x" * 100, "longer than 64"),
    ],
)
def test_bad_events_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(EventError) as exc:
        parse_event_text(text)
    assert fragment in str(exc.value)


def test_from_devd_ifnet() -> None:
    v = {"system": "IFNET", "subsystem": "em0", "type": "LINK_UP"}
    assert from_devd("!", v) == Event("LINK_UP", "em0")


def test_from_devd_ignores_what_is_not_ours() -> None:
    assert from_devd("!", {"system": "IFNET", "subsystem": "em0", "type": "ADDR_ADD"}) is None
    assert from_devd("!", {"system": "DEVFS", "subsystem": "CDEV", "type": "CREATE"}) is None
    assert from_devd("?", {"bus": "pci0"}) is None


def test_from_devd_power() -> None:
    assert from_devd("!", {"system": "ACPI", "subsystem": "Resume"}) == Event("RESUME")
    assert from_devd("!", {"system": "kern", "subsystem": "power", "type": "resume"}) == Event(
        "RESUME"
    )


def test_from_devd_ignores_sleep_and_driver_attach() -> None:
    # Nothing laggroam decides depends on them; no hook forwards them.
    assert from_devd("!", {"system": "ACPI", "subsystem": "Suspend"}) is None
    assert from_devd("!", {"system": "kern", "subsystem": "power", "type": "suspend"}) is None
    assert from_devd("+", {"device-name": "iwn0"}) is None
    assert from_devd("-", {"device-name": "iwn0"}) is None


def test_from_devd_validates_names() -> None:
    with pytest.raises(EventError):
        from_devd("!", {"system": "IFNET", "subsystem": "em0`x`", "type": "LINK_UP"})
