"""pyproject.toml declares its metadata in the forms current setuptools reads without warnings."""

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_license_is_an_spdx_expression_setuptools_can_read() -> None:
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    assert data["project"]["license"] == "BSD-2-Clause"
    # PEP 639's string form is read by setuptools 77 and later; older ones warn or fail.
    (requirement,) = data["build-system"]["requires"]
    found = re.fullmatch(r"setuptools>=(\d+)", requirement)
    assert found is not None and int(found.group(1)) >= 77, requirement


def test_every_package_data_pattern_ships_a_file() -> None:
    """A pattern that matches nothing is a file the package lost without a word."""
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["laggroam"]
    package = PYPROJECT.parent / "laggroam"
    for pattern in patterns:
        assert any(p.is_file() for p in package.glob(pattern)), pattern
