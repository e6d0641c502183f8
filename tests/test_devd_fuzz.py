"""Arbitrary lines, configs and regexes raise nothing but the module's own error types;
the ERE translation agrees with the C library's regexec on patterns both accept."""

import ctypes
import ctypes.util

from hypothesis import given, settings
from hypothesis import strategies as st

from laggroam.devd.devdconf import Config, DevdConfError, parse_text
from laggroam.devd.devdline import DevdLineError, parse_event
from laggroam.devd.devdmatch import EreError, compile_ere, explain, find_rule, render_explanation

FAST = settings(max_examples=200, deadline=None)


def media_of(ifname: str) -> str | None:
    return {"em0": "Ethernet", "wlan0": "802.11"}.get(ifname)


@FAST
@given(st.one_of(st.text(max_size=80), st.binary(max_size=80)))
def test_any_line_parses_or_raises_devd_line_error(line: str | bytes) -> None:
    try:
        event = parse_event(line, timestamp="1.000000")
    except DevdLineError as exc:
        assert str(exc)
    else:
        assert event.kind in ("notify", "attach", "detach", "nomatch")
        assert event.get("timestamp") == "1.000000"


@FAST
@given(st.text(max_size=120))
def test_any_text_parses_or_raises_devd_conf_error(text: str) -> None:
    try:
        parse_text(text, "fuzz.conf")
    except DevdConfError as exc:
        assert str(exc).startswith("fuzz.conf:")


TOKENS = st.sampled_from(
    [
        "options",
        "set",
        "directory",
        "pid-file",
        "attach",
        "detach",
        "nomatch",
        "notify",
        "match",
        "device-name",
        "media-type",
        "class",
        "subdevice",
        "action",
        "{",
        "}",
        ";",
        "0",
        "100",
        "-",
        '"system"',
        '"IFNET"',
        '"!(em|wlan)[0-9]+"',
        '"$v"',
        '"[[:alpha:]"',
        '"a**"',
        '"ethernet"',
        '"802.11"',
        '"echo $subsystem $(x)"',
        '"x\\\n  y"',
        '""',
        "v",
        "# c\n",
        "/* c */",
        "\n",
        " ",
    ]
)


@FAST
@given(st.lists(TOKENS, max_size=40), st.text(max_size=60))
def test_token_soup_configs_and_matching_never_crash(tokens: list[str], line: str) -> None:
    text = " ".join(tokens)
    try:
        cf = parse_text(text, "soup.conf")
    except DevdConfError as exc:
        assert exc.line is not None and exc.line >= 1
        return
    config = Config((cf,), dict(cf.sets))
    try:
        event = parse_event("!" + line, timestamp="1.000000")
    except DevdLineError:
        return
    rule = find_rule(config, event, media_of)
    expl = explain(config, event, media_of)
    assert expl.chosen is rule
    assert render_explanation(expl)


@FAST
@given(st.text(alphabet="ab()|*+?{}[]^$.\\-,0129:=!", max_size=14), st.text("ab\n", max_size=10))
def test_any_regex_compiles_or_raises_ere_error(pattern: str, value: str) -> None:
    try:
        compiled = compile_ere(pattern)
    except EreError as exc:
        assert exc.code.startswith("REG_")
    else:
        compiled.search(value.encode())


# --- differential check of the ERE translation against libc's regcomp/regexec -------------
# glibc and FreeBSD's libc differ on corner cases (glibc accepts "a**" and reads "\w",
# "\s", "\<" as GNU operators), so the patterns come from a grammar of constructs whose
# meaning POSIX fixes; values are ASCII, so the process locale cannot matter.

_LIBC = ctypes.CDLL(ctypes.util.find_library("c"))
_REG_EXTENDED, _REG_ICASE, _REG_NOSUB = 1, 2, 8  # glibc <regex.h>


def libc_matches(pattern: str, value: str) -> bool:
    preg = ctypes.create_string_buffer(256)  # larger than glibc's regex_t
    flags = _REG_EXTENDED | _REG_ICASE | _REG_NOSUB
    assert _LIBC.regcomp(preg, pattern.encode(), flags) == 0, pattern
    try:
        return bool(_LIBC.regexec(preg, value.encode(), 0, None, 0) == 0)
    finally:
        _LIBC.regfree(preg)


def _ere(depth: int) -> st.SearchStrategy[str]:
    literal = st.sampled_from(["a", "b", "C", "0", "\\.", "\\*", "-", "x"])
    bracket_item = st.sampled_from(["a", "b-d", "[:digit:]", "[:alpha:]", "X", "."])
    bracket = st.builds(
        lambda neg, items: "[" + ("^" if neg else "") + "".join(items) + "]",
        st.booleans(),
        st.lists(bracket_item, min_size=1, max_size=3),
    )
    atoms = [literal, st.just("."), bracket]
    if depth > 0:
        atoms.append(_ere(depth - 1).map(lambda e: f"({e})"))
    rep = st.sampled_from(["", "", "*", "+", "?", "{2}", "{0,2}", "{1,}"])
    piece = st.builds(lambda a, r: a + r, st.one_of(atoms), rep)
    branch = st.lists(piece, min_size=1, max_size=3).map("".join)
    return st.lists(branch, min_size=1, max_size=2).map("|".join)


@FAST
@given(_ere(2), st.lists(st.text("abcdC0.x-\n", max_size=6), min_size=1, max_size=4))
def test_ere_agrees_with_libc_regex(body: str, values: list[str]) -> None:
    pattern = "^" + body + "$"  # as devd wraps every match regex
    compiled = compile_ere(pattern)
    for value in values:
        assert (compiled.search(value.encode()) is not None) == libc_matches(pattern, value), (
            pattern,
            value,
        )
