"""Where the repository and the shared fixtures are (a module name unique in tests/)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = SHARED / "fixtures"
IFCONFIG_FIXTURES = FIXTURES / "ifconfig"
