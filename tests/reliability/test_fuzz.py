"""Property-based fuzzing: the readers of everything laggroam takes in raise only their own,
documented errors, and what they accept is safe to act on.

Examples per test: ``relhelp.FUZZ_DEFAULT`` (300) in ``make test``; ``make fuzz`` sets
LAGGROAM_FUZZ_EXAMPLES=100000.
"""

import contextlib
import json
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from relhelp import REPO, SAMPLE, fuzz_examples

from laggroam.config import policy
from laggroam.core import plan
from laggroam.core.event import Event, EventError, from_devd
from laggroam.core.event import parse_event_text as parse_hint
from laggroam.core.host import Host
from laggroam.core.ifname import is_ifname
from laggroam.core.memory import Memory
from laggroam.core.programs import Programs
from laggroam.devd import hookclient, protocol
from laggroam.devd.devdconf import Config, load_devd
from laggroam.devd.devdline import DevdLineError, parse_event
from laggroam.devd.devdmatch import expand_action, find_rule, rule_commands
from laggroam.devd.stockdevd import stock_files
from laggroam.edge import ifconfig, rcstatus
from laggroam.edge.system import parse_wpa_cli_status

FUZZ = settings(
    max_examples=fuzz_examples(),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FIXTURES = REPO.parent / "shared" / "fixtures"
CAPTURES = sorted((FIXTURES / "ifconfig").glob("*.txt"))
SEEDS = [p.read_text() for p in CAPTURES]
DEVD_LINES = [
    line
    for line in (FIXTURES / "devd-events.txt").read_text().splitlines()
    if line and not line.startswith("#")
]
NASTY = st.sampled_from(
    ["", " ", "\t", "\n", "\x00", "é", "\u202e", "$(reboot)", "`id`", ";", "|", "'", '"', "\\",
     "*", "../", "=", "x" * 300, "wlan0", "em0", "lagg0", "IFNET", "LINK_UP", "!", "<", ">"]
)  # fmt: skip


def _mutate(text: str, data: "st.DataObject | _Data") -> str:
    """Truncate, reorder, drop, duplicate or garble lines of ``text``."""
    lines = text.splitlines(keepends=True)
    how = data.draw(st.sampled_from(["truncate", "shuffle", "drop", "dup", "garble", "splice"]))
    if not lines:
        return text
    if how == "truncate":
        return text[: data.draw(st.integers(0, len(text)))]
    if how == "shuffle":
        return "".join(data.draw(st.permutations(lines)))
    i = data.draw(st.integers(0, len(lines) - 1))
    if how == "drop":
        del lines[i]
    elif how == "dup":
        lines.insert(i, lines[i])
    elif how == "garble":
        pos = data.draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:pos] + data.draw(NASTY | st.text(max_size=8)) + lines[i][pos:]
    else:
        lines.insert(i, data.draw(st.text(max_size=60)) + "\n")
    return "".join(lines)


# -- ifconfig output, then the planner on what it gave --------------------------------


@FUZZ
@given(st.data())
def test_fuzz_ifconfig_parser_and_planner(data: st.DataObject) -> None:
    text = _mutate(data.draw(st.sampled_from(SEEDS)), data)
    try:
        host = ifconfig.parse_host(text)
    except ifconfig.IfconfigError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    names = host.names()
    if len(set(names)) != len(names):
        return  # garbled: System.observe refuses it (test_bad_output.py)
    # Whatever was read, the planner runs on it and every argv it builds is clean:
    # printable ASCII words, interface names valid.
    result = plan.plan(SAMPLE, host, Memory(), [], 1_000_000.0)
    for action in result.actions:
        assert is_ifname(action.target), action
        for argv in action.argvs(Programs()):
            assert all(a.isascii() and a.isprintable() and " " not in a for a in argv), argv


@FUZZ
@given(st.text(max_size=400))
def test_fuzz_ifconfig_parser_on_any_text(text: str) -> None:
    with contextlib.suppress(ifconfig.IfconfigError):
        ifconfig.parse_host(text)


# -- wpa_cli, rc status, state memory -----------------------------------------------


@FUZZ
@given(st.text(max_size=300), st.integers(-2, 3), st.none() | st.text(max_size=20))
def test_fuzz_status_readers(text: str, code: int, error: str | None) -> None:
    try:
        listing = rcstatus.parse_ps(text)
    except rcstatus.Unreadable:
        listing = {}
    assert all(isinstance(p, int) and isinstance(c, str) for p, (_, c) in listing.items())
    procs = rcstatus.states(dict.fromkeys(listing, None) | {"x": 1}, {"x": "dhclient"}, listing)
    assert all(p.running in (True, False) for p in procs.values())
    fields = parse_wpa_cli_status(text)
    assert all("\n" not in k + v for k, v in fields.items())


JSON = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.lists(st.integers(), max_size=2)
)
FIELDS = st.sampled_from(["active", "link", "mac", "primary_link_since", "present",
                          "restarts", "next_restart", "count", "retry_at", "bogus"])  # fmt: skip


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["laggs", "wlans", "failures"]),
        st.dictionaries(st.text(max_size=6), st.dictionaries(FIELDS, JSON, max_size=4)),
    )
)
def test_fuzz_memory_from_json(tables: dict[str, object]) -> None:
    data = {"version": 1, **tables}
    try:
        memory = Memory.from_json(json.loads(json.dumps(data)))
    except ValueError as exc:
        assert str(exc)
        return
    again = Memory.from_json(json.loads(json.dumps(memory.to_json())))
    assert again == memory
    memory.after_clock_jump(1_000_000.0)


# -- devd lines: hook check -> socket message -> daemon's decoder -> event ----------

WORD = st.text(st.characters(codec="ascii"), max_size=20) | NASTY
FIELD_NAMES = st.sampled_from(["system", "subsystem", "type", "notify", "cdev", "x"])


@st.composite
def devd_lines(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        base = draw(st.sampled_from(DEVD_LINES))
        return _mutate(base, _Data(draw))
    head = draw(st.sampled_from(["!", "+", "-", "?", "", " "]))
    fields = draw(st.lists(st.tuples(FIELD_NAMES, WORD), max_size=5))
    sep = draw(st.sampled_from([" ", "  ", "\t"]))
    return head + sep.join(f"{k}={v}" for k, v in fields)


class _Data:
    """Lets ``_mutate`` draw inside a composite strategy."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw


@FUZZ
@given(devd_lines(), st.sampled_from(sorted(hookclient.CLASSES)))
def test_fuzz_devd_line_through_hook_and_protocol(line: str, hook: str) -> None:
    try:
        parse_event(line)
    except DevdLineError as exc:
        assert str(exc)
    problem = hookclient.check(hook, line)
    if problem is not None:
        assert problem and "\n" not in problem
        return
    # What a hook accepts is always a message the daemon takes, for an event it knows.
    message = protocol.decode(f"laggroam/1 DEVD {line}\n".encode("ascii"))
    assert message.devd is not None
    if hook != "power":
        assert message.event is not None and message.event.ifname is not None
        assert is_ifname(message.event.ifname)


@FUZZ
@given(st.binary(max_size=1200) | st.builds(lambda s: s.encode(), devd_lines()))
def test_fuzz_socket_protocol(data: bytes) -> None:
    for raw in (data, b"laggroam/1 DEVD " + data, b"laggroam/1 EVENT " + data + b"\n"):
        try:
            message = protocol.decode(raw)
        except protocol.ProtocolError as exc:
            assert str(exc) and "\n" not in str(exc)
            continue
        if message.event is not None and message.event.ifname is not None:
            assert is_ifname(message.event.ifname)


@FUZZ
@given(st.text(max_size=80), st.dictionaries(WORD, WORD, max_size=4), st.sampled_from("!+-?"))
def test_fuzz_event_readers(text: str, variables: dict[str, str], kind: str) -> None:
    for call in (lambda: parse_hint(text), lambda: from_devd(kind, variables)):
        try:
            event = call()
        except EventError as exc:
            assert str(exc)
            continue
        if isinstance(event, Event) and event.ifname is not None:
            assert is_ifname(event.ifname)


# -- the rule engine on the stock devd.conf ------------------------------------------


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The stock FreeBSD 15 devd files, read once by the real loader."""
    root = tmp_path_factory.mktemp("stock-devd")
    for path, text in stock_files("15").items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return load_devd(root / "etc/devd.conf", root=root, order="sorted")


def _media(name: str) -> str | None:
    return {"em0": "Ethernet", "wlan0": "802.11"}.get(name)


@FUZZ
@given(line=devd_lines())
def test_fuzz_rule_engine_on_the_stock_rules(stock: Config, line: str) -> None:
    try:
        event = parse_event(line)
    except DevdLineError:
        return
    rule = find_rule(stock, event, _media)
    if rule is not None:
        for command in rule_commands(stock, rule, event):
            assert "\x00" not in command


BASH = shutil.which("bash")
# Each example starts a shell: a tenth of the others' count.
SHELL = settings(FUZZ, max_examples=max(30, fuzz_examples() // 10))


@SHELL
@given(
    st.lists(
        st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=30),
        max_size=3,
    )
)
def test_fuzz_devd_quoting_never_lets_a_value_out(values: list[str]) -> None:
    """Every value devd substitutes reaches the command as one argument, byte for byte."""
    assert BASH is not None
    action = "printf '%s\\0'" + "".join(f" ${i}" for i in "abc"[: len(values)])
    command = expand_action(action, dict(zip("abc", values, strict=False)))
    done = subprocess.run([BASH, "-c", command], capture_output=True, timeout=10, check=False)
    assert done.returncode == 0, command
    out = done.stdout.split(b"\0")[:-1] if values else []
    assert [o.decode("utf-8", "surrogateescape") for o in out] == values


# -- the policy loader ------------------------------------------------------------------

SAMPLE_TEXT = (REPO / "conf" / "laggroam.ini.sample").read_text()


@FUZZ
@given(st.data())
def test_fuzz_policy_loader(data: st.DataObject) -> None:
    text = _mutate(SAMPLE_TEXT, data)
    raw: str | bytes = text
    if data.draw(st.booleans()):
        blob = bytearray(text.encode())
        if blob:
            i = data.draw(st.integers(0, len(blob) - 1))
            blob[i] = data.draw(st.integers(0, 255))
        raw = bytes(blob)
    try:
        loaded = policy.loads(raw, "fuzz.ini")
    except policy.PolicyErrors as exc:
        assert exc.errors
        for error in exc.errors:
            assert str(error).startswith("fuzz.ini:") and "\n" not in str(error)
            assert error.line >= 1
        return
    # What loads is a policy the planner can run on an empty host.
    plan.plan(loaded, Host(interfaces=()), Memory(), [], 0.0)
