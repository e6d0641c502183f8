"""Shared test helpers: where the repository and the shared fixtures are."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = SHARED / "fixtures"
IFCONFIG_FIXTURES = FIXTURES / "ifconfig"
