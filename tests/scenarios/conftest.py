"""Fixtures for the end-to-end scenarios."""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from laptophelp import Laptop

from laggroam.demo import Style


@pytest.fixture
def laptop() -> Iterator[Laptop]:
    # Short path: the daemon's socket must fit sun_path (sys/sys/un.h).
    path = Path(tempfile.mkdtemp(prefix="lgsc", dir="/tmp"))
    lines: list[str] = []
    story = Laptop(path, lines.append, Style(False))
    story.lines = lines
    try:
        yield story
    finally:
        story.stop()
        shutil.rmtree(path, ignore_errors=True)
