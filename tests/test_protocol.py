"""The socket protocol: what the daemon accepts and what it refuses, and why."""

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laggroam.core.event import Event
from laggroam.devd.hookclient import frame
from laggroam.devd.protocol import MAX_MESSAGE, ProtocolError, decode


def test_devd_lines_the_hooks_forward_carry_their_event() -> None:
    for line, event in (
        ("!system=IFNET subsystem=em0 type=LINK_DOWN", Event("LINK_DOWN", "em0")),
        ("!system=ACPI subsystem=Resume", Event("RESUME")),
    ):
        assert decode(frame(line)).event == event


def test_only_devd_lines_are_messages() -> None:
    # Events travel only as the devd line a hook received; nothing sends a bare event.
    with pytest.raises(ProtocolError, match="unknown message 'EVENT'"):
        decode(b"laggroam/1 EVENT LINK_DOWN em0\n")


def test_devd_line_carries_event_and_variables() -> None:
    msg = decode(frame("!system=IFNET subsystem=wlan0 type=ATTACH"))
    assert msg.event == Event("ATTACH", "wlan0")
    assert msg.devd is not None
    assert msg.devd.get("subsystem") == "wlan0"


@pytest.mark.parametrize(
    "line",
    [
        # No hook forwards these, so no peer may have their stock rule run as root:
        "!system=IFNET subsystem=em0 type=ADDR_ADD address=10.0.0.5",
        "!system=ACPI subsystem=Suspend",  # /etc/rc.suspend
        "-iwn0 at pci0 on pci0",  # pccard_ether iwn0 stopchildren
        "+iwn0 at pci0 on pci0",
        "? at vendor=0x8086 device=0x4235 on pci0",  # devmatch loads modules
        "!system=kern subsystem=power type=suspend",
        "!system=IFNET subsystem=em0 type=LINK_UP subsystem=em0;x",  # devd: the last wins
        "!system=IFNET subsystem=em0 bad.key=1 type=LINK_UP",  # devd stops at bad.key
        '!system=IFNET subsystem="em0" type=LINK_UP',  # quoting: refused, not re-split
    ],
)
def test_devd_lines_no_hook_forwards_are_refused(line: str) -> None:
    with pytest.raises(ProtocolError, match="not an event laggroam's hooks forward"):
        decode(frame(line))


UP = b"laggroam/1 DEVD !system=IFNET type=LINK_UP subsystem="


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"laggroam/2 DEVD !system=ACPI subsystem=Resume\n", "unknown protocol version"),
        (b"hello\n", "unknown protocol version"),
        (b"laggroam/1 FROB x\n", "unknown message"),
        (UP + b"em0;reboot\n", "invalid interface name"),
        (UP + b"$(id)\n", "invalid interface name"),
        (UP + b"a" * 40 + b"\n", "invalid interface name 'aaaa"),
        (UP + b"em0\nlaggroam/1 DEVD !system=ACPI subsystem=Resume\n", "more than one line"),
        (UP + b"\xc3\xa9m0\n", "not ASCII"),
        (UP + b"em\x000\n", "control characters"),
        (b"laggroam/1 DEVD !system=IFNET subsystem=em0;x type=LINK_UP\n", "invalid interface"),
        (b"laggroam/1 DEVD \n", "empty event"),
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


_WORDS = st.sampled_from(
    [
        "system=IFNET",
        "system=ACPI",
        "subsystem=em0",
        "subsystem=wlan0",
        "subsystem=Resume",
        "subsystem=x;y",
        "type=LINK_UP",
        "type=ATTACH",
        "type=ADDR_ADD",
        "a.b=1",
        "word",
        "",
        "system=",
        "notify=0x01",
        "_=x",
        "type=\\_SB_.PCI0",
        "subsystem=em\\0",
        'a="x y"',
        'b="q\\"',
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from("!+-?"), st.lists(_WORDS, max_size=7))
def test_the_hooks_and_devd_see_the_same_event(first: str, words: list[str]) -> None:
    """One rule: a line a hook accepts is, as devd splits it, the event the hook checked."""
    from laggroam.devd.devdline import DevdLineError, parse_event
    from laggroam.devd.hookclient import classify

    line = first + " ".join(words)
    hook_class, _ = classify(line)
    if hook_class is None:
        return
    try:
        variables = parse_event(line).variables
    except DevdLineError as exc:
        raise AssertionError(f"a hook accepts {line!r}, devd does not: {exc}") from None
    from laggroam.devd.hookclient import _fields, is_ifname

    hook_view = _fields(line)
    assert hook_view is not None
    for key in ("system", "subsystem", "type"):
        assert hook_view.get(key) == variables.get(key), (key, line)
    if hook_class == "power":
        assert (variables.get("system"), variables.get("subsystem")) == ("ACPI", "Resume")
    else:
        assert variables.get("system") == "IFNET"
        assert is_ifname(variables.get("subsystem", ""))
        assert decode(frame(line)).event is not None
