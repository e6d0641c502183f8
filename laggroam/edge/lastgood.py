"""The last good policy, kept in the state directory so that a bad save loses nothing.

A policy saved with a mistake over a running daemon is refused and the one in
force kept; but a restart, or a hook's one-shot ``apply``, would read only the
bad file and leave the host unmanaged (under rc.d's ``daemon -R``, a restart
loop).  So every policy the daemon accepts is copied, with its source's path,
mtime and SHA-256, atomically into ``state_dir``; when the file is bad, the
daemon and ``apply`` run on that copy and say so loudly, ``check`` never does.

The copy lives in the state directory of the policy it holds.  To find it
when the file is bad, the ``[daemon] state_dir`` of the bad file is used if
it can still be read, else the default.
"""

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from laggroam.config import policy as policy_mod
from laggroam.config import policyvalues
from laggroam.config.policyfile import UnsafeFile, read_policy_bytes
from laggroam.config.policyread import Errors, read_sections, split_lines
from laggroam.edge.store import Store

log = logging.getLogger(__name__)

GOOD_FILE = "policy.good.json"
HostPath = Callable[[str], Path]


@dataclass(frozen=True, slots=True)
class Fallback:
    """A policy run on in place of a bad file, and why."""

    policy: policy_mod.Policy
    saved: float
    source_mtime: float
    sha256: str
    problem: str

    def describe(self) -> str:
        return (
            f"running on the last good policy (sha256 {self.sha256[:12]}, from the file as it"
            f" was at mtime {self.source_mtime:.0f}); the file is refused: {self.problem}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "saved": self.saved,
            "source_mtime": self.source_mtime,
            "sha256": self.sha256,
            "problem": self.problem,
        }


def remember(store: Store, path: Path, policy: policy_mod.Policy) -> bool:
    """Copy the file at ``path`` as the last good policy if it is still ``policy``."""
    name = os.fspath(path)
    try:
        data = read_policy_bytes(name, policy_mod.MAX_POLICY_BYTES)
        mtime = os.stat(name).st_mtime
        if policy_mod.loads(data, name) != policy:
            return False  # changed since it was loaded; its own reload will save it
        record = {
            "source": name,
            "source_mtime": mtime,
            "sha256": hashlib.sha256(data).hexdigest(),
            "saved": _now(),
            "text": data.decode("utf-8"),
        }
        store.write_atomic(GOOD_FILE, json.dumps(record, sort_keys=True) + "\n")
    except (OSError, UnsafeFile, policy_mod.PolicyErrors, UnicodeDecodeError) as exc:
        log.warning("cannot keep a copy of the good policy in %s: %s", store.dir, exc)
        return False
    return True


def fallback(path: Path, problem: str, host_path: HostPath) -> Fallback | None:
    """The last good policy saved for ``path``, or None when there is none usable."""
    store = Store(host_path(_state_dir_of(path)))
    try:
        record = json.loads(store.read(GOOD_FILE, policy_mod.MAX_POLICY_BYTES * 2))
        text = record["text"]
        if record.get("source") != os.fspath(path) or not isinstance(text, str):
            return None
        data = text.encode("utf-8")
        if hashlib.sha256(data).hexdigest() != record.get("sha256"):
            log.error("%s: damaged (hash mismatch); not used", store.dir / GOOD_FILE)
            return None
        good = policy_mod.loads(data, os.fspath(path))
        return Fallback(
            good, float(record["saved"]), float(record["source_mtime"]), record["sha256"], problem
        )
    except (OSError, ValueError, KeyError, TypeError, policy_mod.PolicyErrors):
        return None


def load(path: Path, host_path: HostPath = Path) -> tuple[policy_mod.Policy, Fallback | None]:
    """The policy at ``path``; when it is refused, the last good one, with why.

    PolicyErrors when there is no last good copy; OSError (a missing file:
    removing the policy is how to stop managing the host) is not covered.
    """
    try:
        return policy_mod.load(path, host_path), None
    except policy_mod.PolicyErrors as exc:
        errors = exc
        problem = str(exc.errors[0]) if exc.errors else "refused"
    found = fallback(path, problem, host_path)
    if found is None:
        raise errors
    log.error("%s", found.describe())
    return found.policy, found


def _state_dir_of(path: Path) -> str:
    """``[daemon] state_dir`` of the (bad) file at ``path`` if readable, else the default."""
    default = policy_mod.DaemonPolicy().state_dir
    try:
        data = read_policy_bytes(os.fspath(path), policy_mod.MAX_POLICY_BYTES)
    except (OSError, UnsafeFile):
        return default
    errors = Errors(os.fspath(path))
    lines = split_lines(data, errors)
    sections = read_sections(lines, errors) if lines is not None else None
    for section in sections or []:
        raw = section.values.get("state_dir") if section.name == "daemon" else None
        if raw is not None:
            try:
                return policyvalues.path(raw)
            except ValueError:
                return default
    return default


def _now() -> float:
    import time

    return time.time()
