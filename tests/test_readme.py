"""README.md says only what is true: its runnable blocks are run, its other commands parsed.

A block fenced as ```` ```console runnable ```` holds ``$ laggroam ...``
commands (and ``$ laggroam-sim ...``, the simulator's command, and
``$ lab/bin/PROGRAM ...``, the simulated host's stand-ins), each
followed by the output it must print; ``...`` alone on a line stands for any
number of lines, and inside a line for any text.  The blocks run in order, in
one directory, against one simulated host; paths are compared as on the host
(the simulator's root directory taken out).  README "Daily use" is such a
block: its steps, on the simulator, are run as written.
"""

import functools
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from laggroam_sim import localrc

from laggroam.admin.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LAGGROAM = str(Path(sys.executable).with_name("laggroam"))
# The simulator's own command, which builds and changes the host in lab.
LAGGROAM_SIM = str(Path(sys.executable).with_name("laggroam-sim"))
SIM_ROOT = "lab/root"
SIM_BIN = "lab/bin"


def _blocks() -> list[tuple[str, list[str]]]:
    """(info string, lines) of every fenced block, indentation of list items removed."""
    blocks: list[tuple[str, list[str]]] = []
    fence: tuple[str, str] | None = None
    lines: list[str] = []
    for line in README.splitlines():
        stripped = line.lstrip()
        if fence is None and stripped.startswith("```"):
            fence = (line[: len(line) - len(stripped)], stripped[3:].strip())
            lines = []
        elif fence is not None and stripped == "```":
            blocks.append((fence[1], lines))
            fence = None
        elif fence is not None:
            lines.append(line.removeprefix(fence[0]))
    assert fence is None, "an unclosed code block"
    return blocks


def _steps(lines: list[str]) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) of a runnable block."""
    steps: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"output before any command: {line!r}"
            steps[-1][1].append(line)
    return steps


def _line_matches(expected: str, actual: str) -> bool:
    if "..." not in expected:
        return expected == actual
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual) is not None


def matches(expected: list[str], actual: list[str]) -> bool:
    """``actual`` fits ``expected``, where a ``...`` line stands for any lines."""

    @functools.cache
    def fit(i: int, j: int) -> bool:
        if i == len(expected):
            return j == len(actual)
        if expected[i] == "...":
            return any(fit(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and _line_matches(expected[i], actual[j]) and fit(i + 1, j + 1)

    return fit(0, 0)


def test_matches_understands_ellipses() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "d"], ["a", "d"])
    assert matches(["x ... z"], ["x y z"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a", "...", "d"], ["a", "b"])
    assert not matches(["x ... z"], ["x y"])
    assert not matches([], ["a"])


def test_opens_with_the_two_commands() -> None:
    info, lines = _blocks()[0]
    assert README.startswith("# laggroam\n\n```sh\nmake demo ")
    assert info == "sh"
    assert [line.split()[:2] for line in lines] == [["make", "demo"], ["make", "test"]]


def test_performance_section_points_at_the_benchmarks() -> None:
    section = README.split("\n## Performance\n", 1)[1].split("\n## ", 1)[0]
    assert "`make bench`" in section
    assert "bench/README.md" in section
    assert (ROOT / "bench" / "README.md").is_file()


def test_runnable_blocks_print_what_they_show(tmp_path: Path) -> None:
    runnable = [lines for info, lines in _blocks() if info == "console runnable"]
    assert len(runnable) >= 3
    (tmp_path / "conf").symlink_to(ROOT / "conf")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAGGROAM")}
    host_root = str(tmp_path / SIM_ROOT)
    try:
        for lines in runnable:
            for command, expected in _steps(lines):
                argv = shlex.split(command)
                commands = {"laggroam": LAGGROAM, "laggroam-sim": LAGGROAM_SIM}
                assert argv[0] in commands or argv[0].startswith(f"{SIM_BIN}/"), command
                program = commands.get(argv[0]) or str(tmp_path / argv[0])
                out = subprocess.run(
                    [program, *argv[1:]],
                    cwd=tmp_path,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=False,
                )
                assert out.returncode == 0, f"{command}: exit {out.returncode}: {out.stderr}"
                shown = out.stdout.replace(host_root, "")
                actual = [line.rstrip() for line in shown.splitlines()]
                assert matches(expected, actual), f"$ {command}\n" + "\n".join(actual)
    finally:
        # A failed step must not leave the daemon "service laggroam start" started.
        pid = localrc.running_pid(Path(host_root))
        if pid is not None:
            os.kill(pid, signal.SIGTERM)


def test_daily_use_is_run_on_the_simulator() -> None:
    """Each step of "Daily use" has its simulated twin in the block that follows it."""
    section = README.split("\n## Daily use\n", 1)[1].split("\n## ", 1)[0]
    shown = [line.strip() for line in section.splitlines()]
    twins = {
        "laggroam init --from-rc-conf": "$ laggroam --site lab init --from-rc-conf",
        "laggroam check": "$ laggroam --site lab check",
        "service devd restart": f"$ {SIM_BIN}/service devd restart",
        "sysrc laggroam_enable=YES": f"$ {SIM_BIN}/sysrc laggroam_enable=YES",
        "service laggroam start": f"$ {SIM_BIN}/service laggroam start",
        "laggroam status": "$ laggroam --site lab status",
        "laggroam plan --event 'LINK_DOWN em0'": (
            "$ laggroam --site lab plan --event 'LINK_DOWN em0'"
        ),
    }
    for step, twin in twins.items():
        assert any(line.startswith(step) or f"&& {step}" in line for line in shown), step
        assert twin in shown, twin


def _shown_commands() -> list[list[str]]:
    """Every command line of the blocks that are not run, split into words."""
    commands = []
    for info, lines in _blocks():
        if info != "sh":
            continue
        for line in lines:
            words = shlex.split(line, comments=True)
            while words:
                end = words.index("&&") if "&&" in words else len(words)
                commands.append(words[:end])
                words = words[end + 1 :]
    return commands


def test_shown_laggroam_commands_parse() -> None:
    shown = [argv for argv in _shown_commands() if argv[0] == "laggroam"]
    assert len(shown) >= 5
    for argv in shown:
        try:
            build_parser().parse_args(argv[1:])
        except SystemExit:
            pytest.fail(f"README shows a command laggroam refuses: {shlex.join(argv)}")


def test_shown_make_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    targets = [argv[1] for argv in _shown_commands() if argv[0] == "make" and len(argv) > 1]
    targets = [t for t in targets if "=" not in t]
    assert {"demo", "test", "install"} <= set(targets)
    for target in targets:
        assert re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE), target
