"""The man pages say what the code does: every command, option, key and file.

``mandoc -Tlint`` is run by ``make test`` (the Makefile's man-lint target);
these tests compare the pages with the CLI parser, the policy schema and the
install layout, so neither can change without the other.
"""

import argparse
import re
from pathlib import Path

import pytest

from laggroam.admin import install
from laggroam.admin.cli import build_parser
from laggroam.config import policy

MAN = Path(__file__).resolve().parents[1] / "man"
PAGE8 = (MAN / "laggroam.8").read_text(encoding="utf-8")
PAGE5 = (MAN / "laggroam.ini.5").read_text(encoding="utf-8")


def _section(text: str, name: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(f".Sh {name}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith(".Sh ")), len(lines))
    return lines[start:end]


def _flags(line: str) -> list[str]:
    """The options an mdoc line names: ``.Op Fl -json`` -> ``--json``."""
    words = line.split()
    return [f"-{words[i + 1]}" for i, w in enumerate(words[:-1]) if w in ("Fl", ".Fl")]


def _synopsis() -> list[tuple[tuple[str, ...], set[str]]]:
    """(command words, options) of each SYNOPSIS entry, in order."""
    blocks: list[tuple[list[str], set[str]]] = []
    for line in _section(PAGE8, "SYNOPSIS"):
        if line == ".Nm":
            blocks.append(([], set()))
            continue
        words, flags = blocks[-1]
        if line.startswith(".Cm "):
            words.extend(line.split()[1:])
        flags.update(_flags(line))
    return [(tuple(w), f) for w, f in blocks]


def _options(parser: argparse.ArgumentParser) -> list[set[str]]:
    """Each option of ``parser`` as the set of its spellings, -h/--help left out."""
    return [
        set(a.option_strings)
        for a in parser._actions
        if a.option_strings and not isinstance(a, argparse._HelpAction)
    ]


def _commands() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command of the CLI (``devd`` as its verbs) and its parser."""
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if path and not subs:
            found[path] = parser
        for sub in subs:
            for name, child in sub.choices.items():
                walk(child, (*path, name))

    walk(build_parser(), ())
    return found


def _all_spellings(parser: argparse.ArgumentParser) -> set[str]:
    spellings = {s for a in parser._actions for s in a.option_strings}
    for sub in (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)):
        for child in sub.choices.values():
            spellings |= _all_spellings(child)
    return spellings


def test_synopsis_has_every_command_and_no_other() -> None:
    listed = {words for words, _ in _synopsis() if words}
    assert listed == set(_commands())


@pytest.mark.parametrize("command", sorted(_commands()), ids=" ".join)
def test_synopsis_options_agree_with_the_parser(command: tuple[str, ...]) -> None:
    blocks = [flags for words, flags in _synopsis() if words == command]
    assert len(blocks) == 1, f"{command}: one SYNOPSIS entry"
    shown = blocks[0]
    # --site is a global option that may also follow the command (DESCRIPTION says so).
    options = [o for o in _options(_commands()[command]) if o != {"--site", "--sim"}]
    for option in options:
        assert option & shown, f"laggroam {' '.join(command)}: {sorted(option)} not in SYNOPSIS"
    known = set().union(*options, *_options(build_parser()))
    assert shown <= known, f"SYNOPSIS shows options the CLI lacks: {shown - known}"


def test_synopsis_shows_every_global_option() -> None:
    shown = set().union(*(flags for words, flags in _synopsis() if not words))
    for option in _options(build_parser()):
        assert option & shown, f"global option {sorted(option)} not in SYNOPSIS"


def test_every_spelling_is_described_and_no_stale_option() -> None:
    documented = {flag for line in PAGE8.splitlines() for flag in _flags(line)}
    assert documented == _all_spellings(build_parser())


def test_description_lists_every_command_as_an_item() -> None:
    items = set()
    for line in PAGE8.splitlines():
        if line.startswith(".It Cm "):
            words = line.split()[2:]
            end = next((i for i, w in enumerate(words) if not w.islower()), None)
            items.add(tuple(words[:end]))
    assert items == set(_commands())


def test_ini_page_describes_every_policy_key_and_only_those() -> None:
    described = set(re.findall(r"^\.It Cm (\w+) No =", PAGE5, flags=re.MULTILINE))
    known = {key for keys in policy._KIND_KEYS.values() for key in keys}
    assert described == known


def test_files_section_names_every_installed_path() -> None:
    files = "\n".join(_section(PAGE8, "FILES"))
    layout = install.Layout()
    for path in (layout.command, layout.devd_snippet, layout.rc_script, layout.sample):
        assert f".It Pa {path}" in files
    assert f".It Pa {layout.libexecdir}/" in files
    for hook in install.HOOKS:
        assert f".Pa {hook}" in files


def test_see_also_has_what_an_administrator_needs() -> None:
    see_also = "\n".join(_section(PAGE8, "SEE ALSO"))
    for page in ("lagg 4", "devd 8", "devd.conf 5", "wpa_supplicant 8", "dhclient 8", "rc.conf 5"):
        assert f".Xr {page}" in see_also
    assert ".Xr laggroam 8" in "\n".join(_section(PAGE5, "SEE ALSO"))


def test_exit_status_lists_the_codes_the_code_uses() -> None:
    from laggroam import exitcodes

    listed = {int(line.split()[1]) for line in _section(PAGE8, "EXIT STATUS") if line[:4] == ".It "}
    used = {v for k, v in vars(exitcodes).items() if k.startswith("EX_")} - {exitcodes.EX_NOPERM}
    assert listed == used


def test_the_options_that_may_follow_the_command_say_so() -> None:
    description = "\n".join(_section(PAGE8, "DESCRIPTION"))
    for option in ("Fl c Ar policy , Fl -config Ar policy", "Fl -site Ar dir , Fl -sim Ar dir"):
        item = description.split(f".It {option}\n", 1)[1].split("\n.It ", 1)[0]
        assert "may also follow the command" in item, option


@pytest.mark.parametrize("page", [PAGE8, PAGE5], ids=["laggroam.8", "laggroam.ini.5"])
def test_os_has_no_argument_so_the_footer_is_the_systems(page: str) -> None:
    # mdoc(7): ".Os" alone prints the operating system it is rendered on, as
    # FreeBSD's own pages do; an argument would freeze one name into the page.
    assert [line for line in page.splitlines() if line.startswith(".Os")] == [".Os"]
