"""A booted simulated laptop for the CLI tests (a module name unique in tests/)."""

import contextlib
import io
from pathlib import Path

import pytest
from laggroam_sim import cli as sim_cli


def booted_laptop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``laggroam-sim --dir DIR init laptop`` in a fresh directory, quietly."""
    sim_dir = tmp_path_factory.mktemp("laptop")
    with contextlib.redirect_stdout(io.StringIO()):
        assert sim_cli.main(["init", "laptop"], sim_dir) == 0
    return sim_dir
