"""Fixtures for the reliability suite: one booted laptop per session, copied per test."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "daemon"))
sys.path.append(str(Path(__file__).resolve().parents[1]))  # for tests/writes.py

from relhelp import Host, boot, new_host


@pytest.fixture(scope="session")
def laptop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rel-laptop") / "sim"
    boot(path)
    return path


@pytest.fixture
def host(laptop: Path, tmp_path: Path) -> Host:
    """A fresh laptop, reconciled once into its converged, healthy state."""
    h = new_host(laptop, tmp_path / "sim")
    h.converge()
    h.healthy()
    return h
