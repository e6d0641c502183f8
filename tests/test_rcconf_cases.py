"""Every rc.conf under tests/data/rcconf/ against its expected warnings and policy.

A case is ``NAME.rc`` (one file) or ``NAME/`` (a root with etc/rc.conf and
friends, read in rc.subr's order by default_rc_paths).  ``NAME.expected``
holds whether the setup is fatal, the warnings and the sysrc commands;
``NAME.ini`` the policy ``init`` writes.  After a deliberate change, rewrite
them with ``python tests/test_rcconf_cases.py --regen`` and review the diff.
"""

import shlex
import sys
from pathlib import Path

import pytest

from laggroam.config.policy import loads
from laggroam.rc.rcadvice import check_rc_conf
from laggroam.rc.rcconf import default_rc_paths, parse_rc_text
from laggroam.rc.rcinit import init_from_rc_conf

DATA = Path(__file__).resolve().parent / "data" / "rcconf"
CASES = sorted(
    p.name.removesuffix(".rc") for p in DATA.iterdir() if p.suffix == ".rc" or p.is_dir()
)

# Findings a sysrc command cannot fix: the administrator has to decide.
UNFIXABLE = frozenset(
    {
        "not-understood",
        "wlan-not-created",
        "address-on-member",
        "bad-proto",
        "bad-port",
        "port-twice",
        "radio-port",
        "no-ports",
        "stacked-lagg",
    }
)


def _paths(case: str) -> list[Path]:
    if (DATA / case).is_dir():
        return default_rc_paths(Path(case))
    return [Path(f"{case}.rc")]


def _render(case: str) -> tuple[str, str]:
    paths = _paths(case)
    checked = check_rc_conf(paths, None)
    init = init_from_rc_conf(paths)
    expected = [
        f"# fatal: {'yes' if checked.fatal else 'no'}",
        "# warnings:",
        *checked.warnings,
        "# init warnings:",
        *init.warnings,
        "# sysrc:",
        *init.sysrc,
    ]
    return "\n".join(expected) + "\n", init.policy_text


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 23
    for needed in ("seed-blog", "handbook-current", "handbook-failover-fxp", "rc-conf-local"):
        assert needed in CASES


@pytest.mark.parametrize("case", CASES)
def test_case(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    expected, policy = _render(case)
    assert expected == (DATA / f"{case}.expected").read_text()
    ini = DATA / f"{case}.ini"
    if policy:
        assert policy == ini.read_text()
    else:
        assert not ini.exists()


@pytest.mark.parametrize("case", CASES)
def test_generated_policy_loads(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    init = init_from_rc_conf(_paths(case))
    if init.fatal:
        assert init.policy_text == ""
        assert init.sysrc == []
        return
    policy = loads(init.policy_text, "generated.ini")
    assert policy.laggs


def _apply_sysrc(paths: list[Path], commands: list[str]) -> str:
    """The files' text followed by what the sysrc commands set, as one rc.conf."""
    text = "".join(p.read_text() for p in paths)
    lines = [text]
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == "sysrc"
        if "-f" in argv:
            index = argv.index("-f")
            assert Path(argv[index + 1]) in paths
            del argv[index : index + 2]
        if argv[1] == "-x":
            lines.append(f"{argv[2]}=''")  # removed: as good as empty here
            continue
        name, _, value = argv[1].partition("=")
        lines.append(f"{name}={shlex.quote(value)}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", CASES)
def test_sysrc_fixes_leave_only_unfixable(
    case: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """rc.conf with the recommended changes agrees with the policy written for it."""
    monkeypatch.chdir(DATA)
    paths = _paths(case)
    init = init_from_rc_conf(paths)
    if init.fatal:
        return
    fixed = tmp_path / "rc.conf"
    fixed.write_text(_apply_sysrc(paths, init.sysrc))
    policy = loads(init.policy_text, "generated.ini")
    after = check_rc_conf([fixed], policy)
    left = {f.kind for f in after.findings} - UNFIXABLE
    assert left == set(), after.warnings
    assert not after.fatal


def test_sysrc_commands_parse_as_assignments(monkeypatch: pytest.MonkeyPatch) -> None:
    """What sysrc is told to set reads back through the rc.conf reader unchanged."""
    monkeypatch.chdir(DATA)
    for case in CASES:
        for command in init_from_rc_conf(_paths(case)).sysrc:
            argv = shlex.split(command)
            if "-x" in argv:
                continue
            name, _, value = argv[-1].partition("=")
            quoted = command.split(" ", 1 if "-f" not in argv else 3)[-1]
            found, skipped = parse_rc_text(quoted)
            assert skipped == []
            assert [(a.name, a.value) for a in found] == [(name, value)]


def _regen() -> None:
    import os

    os.chdir(DATA)
    for case in CASES:
        expected, policy = _render(case)
        (DATA / f"{case}.expected").write_text(expected)
        ini = DATA / f"{case}.ini"
        if policy:
            ini.write_text(policy)
        elif ini.exists():
            ini.unlink()
        print(f"wrote {case}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--regen"]:
        _regen()
