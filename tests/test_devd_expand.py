"""$var expansion in actions exactly as devd.cc expand_one/shell_quote do it, run for real.

devd hands the expanded action to /bin/sh -c.  FreeBSD's sh understands $'...'; the /bin/sh
of a Debian test host is dash, which (0.5.12) does not.  The round-trip property therefore
runs under /bin/sh when it supports $'...' and under bash otherwise -- the quoting is
tested against a shell with the same $'...' rules, not against dash.
"""

import shutil
import subprocess

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from laggroam.devd.devdexpand import expand_string, shell_quote
from laggroam.devd.devdmatch import expand_action

VARS = {
    "subsystem": "em0",
    "device-name": "iwn0",
    "*": "!system=IFNET subsystem=em0 type=LINK_UP",
    "notify": "0x03",
    "q": "it's a \\ test",
}


@pytest.mark.parametrize(
    ("action", "expanded"),
    [
        ("service dhclient quietstart $subsystem", "service dhclient quietstart $'em0'"),
        ("/etc/pccard_ether $device-name startchildren", "/etc/pccard_ether $'iwn0' startchildren"),
        ("logger $*", "logger $'!system=IFNET subsystem=em0 type=LINK_UP'"),
        ("echo $q", "echo $'it\\'s a \\\\ test'"),
        ("echo $unset", "echo $''"),
        ("echo $subsystem-up", "echo $''"),  # "-" is a name character
        ("echo $subsystem.up", "echo $'em0'.up"),
        ("echo ${subsystem}", "echo ${subsystem}"),  # not a devd variable: the shell's
        ("echo $$subsystem", "echo $subsystem"),
        ("echo $$$subsystem", "echo $$'em0'"),
        ("echo $(ifconfig $subsystem)", "echo $(ifconfig $subsystem)"),
        # devd.cc expand_one: the count starts at 1 and counts the first "(",
        # so one ")" does not close "$(": everything to the next ")" passes through
        ("echo $(a (b) c) $notify", "echo $(a (b) c) $notify"),
        ("echo $(id) $notify) $notify", "echo $(id) $notify) $'0x03'"),
        ("echo $(id)) $notify", "echo $(id)) $'0x03'"),
        ("echo $(unclosed $notify", "echo $(unclosed $notify"),
        ("echo $1 $ x $/", "echo $1 $ x $/"),
        ("echo end$", "echo end$"),
        ("$notify$notify", "$'0x03'$'0x03'"),
        ("$_x", "$''"),
        ("no variables at all", "no variables at all"),
    ],
)
def test_expand_action(action: str, expanded: str) -> None:
    assert expand_action(action, VARS) == expanded


def test_expand_action_with_a_lookup_function() -> None:
    assert expand_action("x $a $b", lambda name: name.upper()) == "x $'A' $'B'"


def test_regex_expansion_is_raw() -> None:
    assert expand_string("^$q$", VARS.get, quote=False) == "^it's a \\ test$"  # type: ignore[arg-type]


def test_shell_quote() -> None:
    assert shell_quote("") == "$''"
    assert shell_quote("a'b\\c\nd e$f\"g") == "$'a\\'b\\\\c\nd e$f\"g'"


def _dollar_quote_shell() -> str:
    probe = subprocess.run(
        ["/bin/sh", "-c", "printf %s $'a\\'b'"], capture_output=True, timeout=10, check=False
    )
    if probe.returncode == 0 and probe.stdout == b"a'b":
        return "/bin/sh"
    bash = shutil.which("bash")
    assert bash is not None, "neither /bin/sh nor bash supports $'...'"
    return bash


SHELL = _dollar_quote_shell()

# Values devd can hold: any text without NUL (C strings), weighted towards what shells
# treat specially.
VALUES = st.text(
    alphabet=st.one_of(
        st.sampled_from("\\\\\\'\"$`\n\t !*?[](){}&;|<>#~=%abcentux0"),
        st.characters(codec="utf-8", exclude_characters="\0"),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(value=VALUES)
@example(value="\\")
@example(value="\\n\\t\\x41\\c\\u00e9\\e")
@example(value="it's")
@example(value="\\'")
@example(value="$'x'")
def test_quoted_value_reaches_the_command_unchanged(value: str) -> None:
    command = expand_action("printf %s $value", {"value": value})
    done = subprocess.run(
        [SHELL, "-c", command],
        capture_output=True,
        timeout=10,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == value.encode("utf-8")


@settings(max_examples=50, deadline=None)
@given(a=VALUES, b=VALUES)
def test_two_values_stay_two_arguments(a: str, b: str) -> None:
    command = expand_action("printf '[%s]' $a $b", {"a": a, "b": b})
    done = subprocess.run(
        [SHELL, "-c", command],
        capture_output=True,
        timeout=10,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
    )
    assert done.stdout == f"[{a}][{b}]".encode()


@pytest.mark.parametrize(
    "value",
    ["two words", 'say "hi"', "it's", "$HOME $(id) `id`", "back\\slash\\n", "line1\nline2", ""],
)
def test_awkward_values_survive_the_shell(value: str) -> None:
    command = expand_action("printf '<%s>' $v", {"v": value})
    done = subprocess.run(
        [SHELL, "-c", command], capture_output=True, timeout=10, check=False, env={"LC_ALL": "C"}
    )
    assert done.stdout == f"<{value}>".encode()
