"""Fixtures for the daemon tests: one booted laptop per session, copied per test."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from daemonhelp import Daemon, new_laptop, sim


@pytest.fixture(scope="session")
def laptop_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed's laptop, booted once; its stand-ins find the host relative to themselves."""
    path = tmp_path_factory.mktemp("laptop") / "sim"
    sim(path, "init", "laptop")
    return path


@pytest.fixture
def base(laptop_template: Path) -> Iterator[Path]:
    path = new_laptop(laptop_template)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def daemon(base: Path) -> Iterator[Daemon]:
    """A daemon started on a fresh laptop, killed at the end whatever happened."""
    d = Daemon(base).start()
    yield d
    d.stop()
