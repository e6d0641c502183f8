"""``laggroam demo``: show what laggroam sees, on shipped captures and a simulated laptop.

Every step runs the real ``laggroam`` command in a child process, exactly as an
administrator would type it, and the demo fails (non-zero exit) when a step
does not end in the state it expects.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from laggroam.exitcodes import EX_OK, EX_SOFTWARE

CAPTURES = Path(__file__).resolve().parent / "captures"
REPO = Path(__file__).resolve().parents[1]


class DemoFailed(Exception):
    """A demo step did not reach its expected state."""


def _isatty() -> bool:
    return sys.stdout.isatty() and os.environ.get("NO_COLOR") is None


def _title(text: str) -> None:
    bar = "=" * len(text)
    if _isatty():
        print(f"\n\033[1m{text}\033[0m\n{bar}")
    else:
        print(f"\n{text}\n{bar}")


def _laggroam(*args: str, expect: int = 0) -> str:
    argv = [sys.executable, "-m", "laggroam", *args]
    print(f"$ laggroam {' '.join(args)}")
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    out = proc.stdout + proc.stderr
    print(out.rstrip("\n") if out.strip() else "(no output)")
    if proc.returncode != expect:
        raise DemoFailed(f"laggroam {' '.join(args)}: exit {proc.returncode}, expected {expect}")
    return out


def _sample_policy() -> Path:
    sample = REPO / "conf" / "laggroam.ini.sample"
    if not sample.is_file():
        raise DemoFailed(f"{sample}: the sample policy is missing (run from a checkout)")
    return sample


def _captures_part(policy: Path) -> None:
    _title("1. The policy: laggroam check (quiet when valid)")
    _laggroam("check", "-c", str(policy))
    print("exit 0: the policy is valid")

    _title("2. A healthy laptop (real FreeBSD 11.0 capture)")
    healthy = CAPTURES / "laptop-lagg0-em0-wlan0-11.0.txt"
    out = _laggroam("status", "-c", str(policy), "--from-ifconfig", str(healthy))
    if "warning" in out:
        raise DemoFailed("the healthy capture should raise no warning")

    _title("3. wlan0 silently dropped out of lagg0 (real FreeBSD 15 capture)")
    dropped = CAPTURES / "laptop-lagg0-wlan0-dropped-15.txt"
    out = _laggroam("status", "-c", str(policy), "--from-ifconfig", str(dropped))
    if "wlan0" not in out or "warning" not in out:
        raise DemoFailed("the dropped-port capture should warn about wlan0")


def run_demo(keep_dir: str | None = None) -> int:
    """Run the demo; 0 only when every step reached its expected state."""
    workdir = Path(keep_dir) if keep_dir else Path(tempfile.mkdtemp(prefix="laggroam-demo-"))
    try:
        policy = _sample_policy()
        _captures_part(policy)
    except DemoFailed as exc:
        print(f"\ndemo FAILED: {exc}", file=sys.stderr)
        return EX_SOFTWARE
    finally:
        if keep_dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\ndemo complete: every step reached its expected state")
    return EX_OK
