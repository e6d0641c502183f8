"""Run one program: an argv list, a timeout, and a result value instead of an exception.

This is the only place laggroam starts processes.  A missing program, a
non-zero exit or a timeout is a ``Result`` the caller logs and survives; it
never propagates as an exception that would kill a hook or the daemon.
"""

import logging
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0

# devd runs actions with this PATH (freebsd-src usr.sbin/service/service.sh,
# libexec/rc/rc); laggroam gives its children the same minimal environment.
SAFE_ENV: Mapping[str, str] = {"PATH": "/sbin:/bin:/usr/sbin:/usr/bin", "HOME": "/"}


@dataclass(frozen=True, slots=True)
class Result:
    """What one program run did; ``returncode`` is None when it never finished."""

    argv: tuple[str, ...]
    returncode: int | None
    stdout: str = ""
    stderr: str = ""
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.error is None

    def describe(self) -> str:
        """One line for the log: the command and how it ended."""
        cmd = " ".join(self.argv)
        if self.error is not None:
            return f"{cmd}: {self.error}"
        detail = (self.stderr or self.stdout).strip().splitlines()
        tail = f": {detail[-1]}" if detail and self.returncode != 0 else ""
        return f"{cmd}: exit {self.returncode}{tail}"


def run(
    argv: Sequence[str],
    timeout: float = DEFAULT_TIMEOUT,
    env: Mapping[str, str] | None = None,
) -> Result:
    """Run ``argv`` without a shell; never raises for the program's failures."""
    args = tuple(argv)
    if not args or any("\x00" in a for a in args):
        return Result(args, None, error="refused: empty argv or NUL byte in an argument")
    started = time.monotonic()
    try:
        proc = subprocess.run(
            args,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=dict(env if env is not None else _child_env()),
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        result = Result(args, None, error=f"timed out after {timeout:g}s")
    except OSError as exc:
        result = Result(args, None, error=exc.strerror or str(exc))
    else:
        result = Result(args, proc.returncode, proc.stdout, proc.stderr)
    result = _with_seconds(result, time.monotonic() - started)
    if not result.ok:
        log.debug("%s", result.describe())
    return result


def _child_env() -> dict[str, str]:
    """SAFE_ENV and a neutral locale, so programs print what the parsers expect.

    Nothing of laggroam's own environment is passed on: a program a site names
    finds what it needs by itself.
    """
    return {**SAFE_ENV, "LC_ALL": "C"}


def _with_seconds(result: Result, seconds: float) -> Result:
    return Result(
        result.argv, result.returncode, result.stdout, result.stderr, result.error, seconds
    )
