"""runner.run: argv only, timeouts, failures as values."""

import json
import sys

import pytest

from laggroam.edge.runner import run


def test_success_captures_output() -> None:
    result = run([sys.executable, "-c", "print('hello')"])
    assert result.ok
    assert result.stdout == "hello\n"
    assert result.returncode == 0


def test_nonzero_exit_is_a_value() -> None:
    result = run([sys.executable, "-c", "import sys; sys.stderr.write('bad\\n'); sys.exit(3)"])
    assert not result.ok
    assert result.returncode == 3
    assert result.describe().endswith("exit 3: bad")


def test_missing_program_is_a_value() -> None:
    result = run(["/nonexistent/ifconfig", "-a"])
    assert not result.ok
    assert result.returncode is None
    assert result.error is not None
    assert "No such file" in result.error


def test_timeout_is_a_value() -> None:
    result = run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.3)
    assert result.returncode is None
    assert result.error == "timed out after 0.3s"
    assert result.seconds < 10


def test_nul_byte_refused() -> None:
    result = run(["/bin/echo", "a\x00b"])
    assert result.returncode is None
    assert result.error is not None
    assert "NUL" in result.error


def test_minimal_environment() -> None:
    result = run([sys.executable, "-c", "import os, json; print(json.dumps(sorted(os.environ)))"])
    assert result.ok
    names = json.loads(result.stdout)
    assert "PATH" in names
    assert "HOME" in names
    assert all(n in {"PATH", "HOME", "LC_ALL", "LC_CTYPE"} for n in names)


def test_laggroams_own_pythonpath_is_not_passed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/tmp/elsewhere")
    result = run([sys.executable, "-c", "import os; print(os.environ.get('PYTHONPATH'))"])
    assert result.ok and result.stdout == "None\n"
