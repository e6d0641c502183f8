"""Fixtures for the end-to-end scenarios.

After every scenario the daemon is left running, in simulated time, for ten
minutes: it must do nothing more (no self-feeding loop of actions, link
events and reconciles).  ``LAGGROAM_STATS=1`` prints each scenario's figures
at the end of the run: actions, interface re-initialisations and Wi-Fi
re-associations per converge, wpa_supplicant restarts.  ``LAGGROAM_ACTIONS=FILE``
writes every converge's actions to FILE (laptophelp.ACTIONS), to compare two
versions of laggroam scenario by scenario.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from laggroam_sim.story import Style
from laptophelp import FIGURES, HEADLINE, Laptop


@pytest.fixture
def laptop(request: pytest.FixtureRequest) -> Iterator[Laptop]:
    # Short path: the daemon's socket must fit sun_path (sys/sys/un.h).
    path = Path(tempfile.mkdtemp(prefix="lgsc", dir="/tmp"))
    lines: list[str] = []
    story = Laptop(path, lines.append, Style(False))
    story.lines = lines
    try:
        yield story
        if story.policy_path.exists():
            left = story.quiet_for_ten_minutes()
            assert left == [], f"a self-feeding loop: {left}"
            if hasattr(story, "figures"):
                FIGURES.append(story.figures.line(request.node.name))
                HEADLINE["scenarios"] += 1
                HEADLINE["readdressed"] += story.figures.readdressed - story.readdress_expected
                HEADLINE["provoked"] += story.readdress_expected
                HEADLINE["reassociations"] += story.figures.reassociations
                assert story.figures.readdressed == story.readdress_expected, (
                    "lagg0 changed its address on the same network"
                )
    finally:
        story.stop()
        shutil.rmtree(path, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if os.environ.get("LAGGROAM_STATS") and FIGURES:
        terminalreporter.write_line("scenario figures (after the laptop was built):")
        for line in FIGURES:
            terminalreporter.write_line(f"  {line}")
    if HEADLINE["scenarios"]:
        terminalreporter.write_line(
            f"one address: over {HEADLINE['scenarios']} scenarios, lagg0 changed its address"
            f" {HEADLINE['readdressed']} time(s) without a network change (must be 0;"
            f" {HEADLINE['provoked']} more provoked on purpose without the rc.conf fix);"
            f" laggroam's actions caused {HEADLINE['reassociations']} Wi-Fi re-association(s)"
        )
