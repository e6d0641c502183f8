"""The rc.conf reader: the shell subset it understands, and what it refuses to run."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laggroam.rc.rcconf import (
    MAX_RC_BYTES,
    RcConfError,
    default_rc_paths,
    parse_rc_text,
    read_rc_conf,
)


def _values(text: str) -> dict[str, str]:
    found, skipped = parse_rc_text(text, "rc")
    assert skipped == [], [str(s) for s in skipped]
    return {a.name: a.value for a in found}


def _skipped(text: str) -> list[str]:
    return [str(s) for s in parse_rc_text(text, "rc")[1]]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('x="up DHCP"', "up DHCP"),
        ("x='up DHCP'", "up DHCP"),
        ("x=up", "up"),
        (r"x=up\ DHCP", "up DHCP"),
        ("x=", ""),
        ('x=""', ""),
        ("x=\"a\"'b'c", "abc"),
        ('x="a \\"b\\" \\$c \\\\ \\d"', 'a "b" $c \\ \\d'),
        ("x='a \\ \" $b'", 'a \\ " $b'),
        ('x="$"', "$"),
        ("x=a#b", "a#b"),
        ('x="a" # comment', "a"),
        ('x="a\nb"', "a\nb"),
        ('x="a \\\nb"', "a b"),
        ("x=\\\nup", "up"),
        ('\ufeffx="bom"', "bom"),
        ("x=a*b?[c]", "a*b?[c]"),
        ('x="\ufffd é"', "\ufffd é"),
    ],
)
def test_quoting(text: str, value: str) -> None:
    assert _values(text) == {"x": value}


def test_several_assignments_per_line_and_semicolons() -> None:
    text = "a=\"1\" b='2'; c=3;d=4 # e=5\n  f=6\t"
    assert _values(text) == {"a": "1", "b": "2", "c": "3", "d": "4", "f": "6"}


def test_lines_of_assignments_are_where_the_word_starts() -> None:
    found, _ = parse_rc_text('# c\n\na=1 b="x\ny"\nc=\\\n3\nd=4\n', "rc")
    assert [(a.name, a.line) for a in found] == [("a", 3), ("b", 3), ("c", 5), ("d", 7)]


def test_later_assignments_override_earlier_ones(tmp_path: Path) -> None:
    rc = tmp_path / "rc.conf"
    local = tmp_path / "rc.conf.local"
    rc.write_text('ifconfig_em0="DHCP"\nifconfig_em0="up"\nhostname="a"\n')
    local.write_text('hostname="b"\n')
    conf = read_rc_conf([rc, local])
    assert conf.value("ifconfig_em0") == "up"
    assert conf.get("ifconfig_em0") is not None
    assert conf.get("ifconfig_em0").line == 2  # type: ignore[union-attr]
    assert conf.value("hostname") == "b"
    assert conf.get("hostname").path == str(local)  # type: ignore[union-attr]
    assert conf.value("unset") is None


def test_variables_expand_from_earlier_assignments_and_files(tmp_path: Path) -> None:
    first = tmp_path / "one"
    second = tmp_path / "two"
    first.write_text("p=em0\n")
    second.write_text('q="laggport $p laggport ${p}x" r=$q s=$p-$p\n')
    conf = read_rc_conf([first, second])
    assert conf.value("q") == "laggport em0 laggport em0x"
    assert conf.value("r") == "laggport em0 laggport em0x"
    assert conf.value("s") == "em0-em0"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x=`hostname`", "command substitution with `...` is not run"),
        ('x="$(uname -r)"', "command substitution $(...) is not run"),
        ('x="$((1 + 2))"', "command substitution $(...) is not run"),
        ("x=${y:-z}", "parameter expansion ${y:-z}"),
        ("x=$1", "special parameter $1"),
        ("x=$?", "special parameter $?"),
        ("x=$nowhere", "$nowhere is not set in the files read (it may come from elsewhere)"),
        (". /etc/rc.conf.site", "command '.' is not run"),
        ("export x=1", "command 'export' is not run"),
        ("x=1 echo hi", "assignments before command 'echo' apply to it alone"),
        ("x=1 | y=2", "shell operator '|'"),
        ("x=1 && y=2", "shell operator '&'"),
        ("x=1 >/tmp/out", "shell operator '>'"),
        ("x=(a b)", "shell operator '('"),
        ('x="up"\r', "carriage return (DOS line ending); sh(1) keeps it in the value"),
        ("x+=1", "command 'x+=1' is not run"),
        ("fi", "'fi' without its opening word"),
    ],
)
def test_outside_the_subset_is_reported_and_skipped(text: str, reason: str) -> None:
    found, skipped = parse_rc_text(f"before=1\n{text}\nafter=2\n", "rc")
    assert [str(s) for s in skipped] == [f"rc:2: not understood, skipped: {reason}"]
    assert {a.name for a in found} == {"before", "after"}


def test_conditionals_skip_their_whole_body() -> None:
    text = (
        "a=1\n"
        "if [ -f /x ]; then\n"
        '  ifconfig_em0="DHCP"\n'
        "else\n"
        "  b=2\n"
        "fi\n"
        "case $a in 1) c=3 ;; esac\n"
        "for i in 1 2; do d=$i; done\n"
        "while false; do\n  e=5\ndone\n"
        "f() { g=7; }\n"
        "h=8\n"
    )
    found, skipped = parse_rc_text(text, "rc")
    assert {a.name: a.value for a in found} == {"a": "1", "h": "8"}
    assert [str(s) for s in skipped] == [
        "rc:2: not understood, skipped: 'if' construct: its lines are skipped (lines 2-6)",
        "rc:7: not understood, skipped: 'case' construct: its lines are skipped (lines 7-7)",
        "rc:8: not understood, skipped: 'for' construct: its lines are skipped (lines 8-8)",
        "rc:9: not understood, skipped: 'while' construct: its lines are skipped (lines 9-11)",
        "rc:12: not understood, skipped: function 'f' definition (lines 12-12)",
    ]


def test_a_construct_never_closed_skips_the_rest() -> None:
    found, skipped = parse_rc_text("a=1\nif true; then\nb=2\n", "rc")
    assert [a.name for a in found] == ["a"]
    assert [str(s) for s in skipped] == [
        "rc:2: not understood, skipped: 'if' construct: its lines are skipped",
        "rc:2: not understood, skipped: construct never closed; the rest of the file is skipped",
    ]


@pytest.mark.parametrize(
    ("text", "what", "line"),
    [
        ("a=1\nb='x\n", "single quote", 2),
        ('a=1\nb="x\n\n', "double quote", 2),
        ("a=1\nb=`x\n", "backquote", 2),
        ("a=1\nb=$(x\n", "$(", 2),
        ("a=1\nb=${x\n", "${", 2),
    ],
)
def test_an_unclosed_quote_skips_the_rest(text: str, what: str, line: int) -> None:
    found, skipped = parse_rc_text(text + "c=3\n", "rc")
    assert [a.name for a in found] == ["a"]
    assert [str(s) for s in skipped] == [
        f"rc:2: not understood, skipped: quotes do not pair up from here: the {what} at "
        f"line {line} is never closed; the rest of the file is skipped"
    ]


def test_bytes_that_are_not_utf8_are_refused_per_statement() -> None:
    found, skipped = parse_rc_text(b'a="\xff"\nb="ok"\n', "rc")
    assert [(a.name, a.value) for a in found] == [("b", "ok")]
    assert [str(s) for s in skipped] == ["rc:1: not understood, skipped: bytes that are not UTF-8"]


def test_nothing_is_ever_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f'x=`touch {marker}`\ny=$(touch {marker})\ntouch {marker}\nz="$(touch {marker})"\n'
    found, skipped = parse_rc_text(text, "rc")
    assert found == []
    assert len(skipped) == 4
    assert not marker.exists()


def test_unreadable_files_raise_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(RcConfError) as missing:
        read_rc_conf([tmp_path / "nope"])
    assert str(missing.value) == f"{tmp_path / 'nope'}: No such file or directory"
    with pytest.raises(RcConfError) as directory:
        read_rc_conf([tmp_path])
    assert str(directory.value) == f"{tmp_path}: not a regular file"
    big = tmp_path / "big"
    big.write_bytes(b"#" * (MAX_RC_BYTES + 1))
    with pytest.raises(RcConfError, match="larger than"):
        read_rc_conf([big])


def test_default_rc_paths_follow_rc_subr_order(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    local_d = tmp_path / "usr" / "local" / "etc" / "rc.conf.d"
    (etc / "rc.conf.d" / "netif").mkdir(parents=True)
    local_d.mkdir(parents=True)
    (etc / "rc.conf").write_text("")
    (etc / "rc.conf.local").write_text("")
    (etc / "rc.conf.d" / "network").write_text("")
    (etc / "rc.conf.d" / "sshd").write_text("")  # another service's: not read for netif
    for name in ("b", "a", ".hidden", "A"):
        (etc / "rc.conf.d" / "netif" / name).write_text("")
    (etc / "rc.conf.d" / "netif" / "subdir").mkdir()
    (local_d / "netif").write_text("")
    assert [p.relative_to(tmp_path).as_posix() for p in default_rc_paths(tmp_path)] == [
        "etc/rc.conf",
        "etc/rc.conf.local",
        "etc/rc.conf.d/network",
        "etc/rc.conf.d/netif/A",
        "etc/rc.conf.d/netif/a",
        "etc/rc.conf.d/netif/b",
        "usr/local/etc/rc.conf.d/netif",
    ]


def test_default_rc_paths_always_name_rc_conf(tmp_path: Path) -> None:
    assert default_rc_paths(tmp_path) == [tmp_path / "etc" / "rc.conf"]
    assert default_rc_paths()[0] == Path("/etc/rc.conf")


# ---------------------------------------------------------------- properties

_VALUE = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00\r"),
    max_size=30,
)
_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)


def _single_quoted(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _double_quoted(value: str) -> str:
    return '"' + "".join("\\" + c if c in '$`"\\' else c for c in value) + '"'


@settings(max_examples=150, deadline=None)
@given(pairs=st.lists(st.tuples(_NAME, _VALUE), min_size=1, max_size=5), double=st.booleans())
def test_quoted_values_read_back_exactly(pairs: list[tuple[str, str]], double: bool) -> None:
    quote = _double_quoted if double else _single_quoted
    text = "\n".join(f"{name}={quote(value)}" for name, value in pairs) + "\n"
    found, skipped = parse_rc_text(text, "rc")
    assert skipped == []
    assert [(a.name, a.value) for a in found] == pairs
    expected: dict[str, str] = {}
    for name, value in pairs:
        expected[name] = value
    assert {a.name: a.value for a in found} == expected


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_is_read_without_crashing(text: str) -> None:
    found, skipped = parse_rc_text(text, "rc")
    lines = text.count("\n") + 1
    assert all(1 <= a.line <= lines for a in found)
    assert all(1 <= s.line <= lines for s in skipped)
    for assignment in found:
        assert assignment.name.isidentifier()


def test_property_helpers_quote_like_sh() -> None:
    assert _single_quoted("it's") == "'it'\\''s'"
    assert _values("x=" + _single_quoted("it's")) == {"x": "it's"}
    assert _values("x=" + _double_quoted('a"$b`\\')) == {"x": 'a"$b`\\'}
