"""A corpus of broken policy files: ``laggroam check`` names the file and the line of each,
exits 78 (EX_CONFIG) or 66 (EX_NOINPUT), and a running daemon keeps its last good policy.

The files are in policies/, their expected line and message in policies/expected.tsv.
What cannot live in a repository -- a directory, a symbolic link loop, a huge file, a
file that changes while it is read -- is made at run time.
"""

import contextlib
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from laggroam_sim.site import site_of
from relhelp import REPO

from laggroam.admin import cli
from laggroam.config import policy
from laggroam.daemon.loop import Daemon
from laggroam.edge.site import Site
from laggroam.edge.system import System
from laggroam.exitcodes import EX_CONFIG, EX_NOINPUT

CORPUS = Path(__file__).resolve().parent / "policies"
GOOD = (REPO / "conf" / "laggroam.ini.sample").read_text()


def _table() -> list[tuple[str, int, str]]:
    rows = []
    for raw in (CORPUS / "expected.tsv").read_text().splitlines():
        if raw.startswith("#") or not raw.strip():
            continue
        name, line, fragment = raw.split("\t")
        rows.append((name, int(line), fragment))
    return rows


TABLE = _table()


def check(path: Path) -> tuple[int, list[str]]:
    """``laggroam -c PATH check`` in this process: (exit status, stderr lines)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["-c", str(path), "check"])
    return code, err.getvalue().splitlines()


def test_corpus_is_large_and_every_file_is_in_the_table() -> None:
    assert len(TABLE) >= 80
    files = {p.name for p in CORPUS.iterdir() if p.suffix == ".ini"}
    assert files == {row[0] for row in TABLE}


@pytest.mark.parametrize(("name", "line", "fragment"), TABLE, ids=[r[0] for r in TABLE])
def test_check_names_the_file_and_line(name: str, line: int, fragment: str) -> None:
    path = CORPUS / name
    code, errors = check(path)
    assert code == EX_CONFIG, errors
    assert errors, "no message"
    assert all(e.startswith(f"{path}:") for e in errors), errors
    assert any(e.startswith(f"{path}:{line}: ") and fragment in e for e in errors), errors
    assert not any("Traceback" in e for e in errors)


def _huge(tmp: Path) -> Path:
    path = tmp / "huge.ini"
    with open(path, "wb") as f:
        f.write(b"[lagg0]\nports = em0\n")
        f.write(b"# " + b"x" * (8 * 1024 * 1024) + b"\n")
    return path


def _directory(tmp: Path) -> Path:
    path = tmp / "dir.ini"
    path.mkdir()
    return path


def _loop(tmp: Path) -> Path:
    a, b = tmp / "loop-a.ini", tmp / "loop-b.ini"
    a.symlink_to(b)
    b.symlink_to(a)
    return a


def _missing(tmp: Path) -> Path:
    return tmp / "missing.ini"


def _fifo(tmp: Path) -> Path:
    path = tmp / "fifo.ini"
    os.mkfifo(path)
    return path


SPECIAL = [
    (_huge, EX_CONFIG, "1: file is larger than 1048576 bytes"),
    (_directory, EX_NOINPUT, "Is a directory"),
    (_loop, EX_NOINPUT, "Too many levels of symbolic links"),
    (_missing, EX_NOINPUT, "No such file or directory"),
    (_fifo, EX_CONFIG, "1: not a regular file"),
]


@pytest.mark.parametrize(
    ("make", "code", "fragment"), SPECIAL, ids=[s[0].__name__ for s in SPECIAL]
)
def test_check_special_files(tmp_path: Path, make: object, code: int, fragment: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    got, errors = check(path)
    assert got == code
    assert len(errors) == 1 and str(path) in errors[0] and fragment in errors[0], errors


# -- a file that changes while it is read --------------------------------------


@contextlib.contextmanager
def _rewriting(path: Path, texts: list[bytes]) -> Iterator[None]:
    """Rewrite ``path`` in place (truncate, then write in pieces) until the block ends."""
    stop = threading.Event()

    def loop() -> None:
        i = 0
        while not stop.is_set():
            data = texts[i % len(texts)]
            with open(path, "r+b") as f:
                f.truncate(0)
                for k in range(0, len(data), 7):
                    f.write(data[k : k + 7])
                    f.flush()
            i += 1

    path.write_bytes(texts[0])
    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def test_a_file_that_changes_while_read_is_a_policy_or_a_clean_error(tmp_path: Path) -> None:
    """Half-written text is refused at a line, or is a policy; it never crashes the reader.

    (A half-written file can be a valid policy -- the first lines of a good
    one -- which is why the daemon reloads only after ``debounce`` of quiet.)
    """
    path = tmp_path / "changing.ini"
    bad = (CORPUS / "040-proto-typo.ini").read_bytes()
    outcomes = {"policy": 0, "refused": 0}
    with _rewriting(path, [GOOD.encode(), bad]):
        for _ in range(300):
            try:
                loaded = policy.load(path)
            except policy.PolicyErrors as exc:
                assert all(str(e).startswith(f"{path}:") for e in exc.errors)
                assert all("\n" not in str(e) for e in exc.errors)
                outcomes["refused"] += 1
            else:
                assert isinstance(loaded, policy.Policy) and loaded.laggs
                outcomes["policy"] += 1
    assert outcomes["refused"] > 0


# -- the daemon keeps its last good policy on each -----------------------------


def _daemon(tmp_path: Path) -> Daemon:
    path = tmp_path / "laggroam.ini"
    path.write_text(GOOD)
    pol = policy.load(path)
    site = Site(tmp_path / "root", site_of(tmp_path / "sim").programs)
    return Daemon(path, pol, System(site.programs), site)


def _reload(d: Daemon) -> None:
    """A SIGHUP's reload, run here instead of in the daemon's loading thread."""
    d.reload.load(True)
    d._drain_posted()


def _install(path: Path, source: Path | None, make: object | None, tmp: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    else:
        path.unlink(missing_ok=True)
    if source is not None:
        path.write_bytes(source.read_bytes())
        return
    made = make(tmp)  # type: ignore[operator]
    if made.exists() or made.is_symlink():
        os.replace(made, path)


def test_daemon_keeps_the_last_good_policy_on_each_bad_file(tmp_path: Path) -> None:
    d = _daemon(tmp_path)
    good = d.policy
    path = d.reload.path
    refused = 0
    work = tmp_path / "made"
    work.mkdir()
    cases: list[tuple[Path | None, object | None]] = [(CORPUS / r[0], None) for r in TABLE]
    cases += [(None, s[0]) for s in SPECIAL if s[0] is not _fifo]
    for source, make in cases:
        _install(path, source, make, work)
        _reload(d)
        assert d.policy is good, source or make
        assert d.reload.generation == 1
        refused += bool(d.reload.rejected)
        status = d.status()
        assert status["laggs"] == {"lagg0": ["em0", "wlan0"]}
    assert refused >= len(TABLE)
    # A good policy again is taken at once.
    path.unlink(missing_ok=True)
    path.write_text(GOOD.replace("failback_hold = 0s", "failback_hold = 5s"))
    _reload(d)
    assert d.reload.generation == 2 and d.reload.rejected == []
    assert d.policy.laggs[0].failback_hold == 5.0
