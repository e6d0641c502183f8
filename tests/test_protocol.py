"""The socket protocol: what the daemon accepts and what it refuses, and why."""

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laggroam.event import Event
from laggroam.protocol import MAX_MESSAGE, ProtocolError, decode, encode_devd, encode_event


def test_event_round_trip() -> None:
    for event in (Event("LINK_DOWN", "em0"), Event("RESUME"), Event("DEV_ATTACH", "iwn0")):
        assert decode(encode_event(event)).event == event


def test_devd_line_carries_event_and_variables() -> None:
    msg = decode(encode_devd("!system=IFNET subsystem=wlan0 type=ATTACH"))
    assert msg.event == Event("ATTACH", "wlan0")
    assert msg.devd is not None
    assert msg.devd.get("subsystem") == "wlan0"


def test_devd_line_laggroam_ignores_still_decodes() -> None:
    msg = decode(encode_devd("!system=IFNET subsystem=em0 type=ADDR_ADD address=10.0.0.5"))
    assert msg.event is None
    assert msg.devd is not None


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"laggroam/2 EVENT RESUME\n", "unknown protocol version"),
        (b"hello\n", "unknown protocol version"),
        (b"laggroam/1 FROB x\n", "unknown message"),
        (b"laggroam/1 EVENT LINK_UP em0;reboot\n", "invalid interface name"),
        (b"laggroam/1 EVENT LINK_UP $(id)\n", "invalid interface name"),
        (b"laggroam/1 EVENT LINK_UP " + b"a" * 40 + b"\n", "longer than 15"),
        (b"laggroam/1 EVENT LINK_UP em0\nEVENT RESUME\n", "more than one line"),
        (b"laggroam/1 EVENT LINK_UP \xc3\xa9m0\n", "not ASCII"),
        (b"laggroam/1 EVENT LINK_UP em\x000\n", "control characters"),
        (b"laggroam/1 DEVD !system=IFNET subsystem=em0;x type=LINK_UP\n", "invalid interface"),
        (b"laggroam/1 DEVD \n", "empty event line"),
        (b"laggroam/1 " + b"x" * MAX_MESSAGE, "longer than"),
    ],
)
def test_refusals(data: bytes, fragment: str) -> None:
    with pytest.raises(ProtocolError) as exc:
        decode(data)
    assert fragment in str(exc.value)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=MAX_MESSAGE + 20))
def test_any_bytes_decode_or_are_refused(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decode(data)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_after_a_valid_header(text: str) -> None:
    try:
        msg = decode(b"laggroam/1 DEVD " + text.encode("utf-8", "surrogatepass") + b"\n")
    except ProtocolError:
        return
    assert msg.devd is not None
