"""Reading the policy file, and the files it names, the way root can trust them.

Root obeys the policy: it runs wpa_supplicant with the ``wpa_conf`` the policy
names (and a wpa_supplicant configuration can load shared objects), and keeps
its state and socket where the policy says.  So, as sshd(8) does with its
StrictModes check, a file is refused when anyone but root (or the user
running laggroam) owns it or may write it, or may write a directory above it:
such a user could rewrite it or swap it for another.  A world-writable
directory with the sticky bit (``/tmp``) is accepted, since only the owner of
an entry may rename or remove it there (sticky(7)), and that owner is checked.

The file is opened without blocking and read only if it is a regular file, so
a FIFO, a device or a ``/proc`` file that would block yields a message, never
a hang or a traceback.
"""

import errno
import os
import stat
from pathlib import Path

__all__ = ["UnsafeFile", "read_policy_bytes", "trust_problem"]


class UnsafeFile(Exception):
    """A file root must not trust, or that cannot be read as a policy; the text says why."""


def _owner_problem(st: os.stat_result) -> str | None:
    if st.st_uid not in (0, os.geteuid()):
        return f"belongs to uid {st.st_uid}, not root"
    if st.st_mode & 0o022:
        if stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX:
            return None
        who = "everyone" if st.st_mode & 0o002 else "its group"
        return f"is writable by {who} (mode {stat.S_IMODE(st.st_mode):04o})"
    return None


def trust_problem(path: str | os.PathLike[str], st: os.stat_result | None = None) -> str | None:
    """Why root must not trust ``path`` (``st``: the opened file's fstat), or None.

    A path that does not exist yet is judged by the directories that would
    hold it.
    """
    real = Path(os.path.realpath(path))
    if st is None:
        try:
            st = os.stat(real)
        except OSError:
            st = None
    if st is not None:
        problem = _owner_problem(st)
        if problem is not None:
            return f"{real} {problem}"
    for directory in real.parents:
        try:
            dst = os.stat(directory)
        except OSError:
            continue  # not there yet: the one above decides who could create it
        problem = _owner_problem(dst)
        if problem is not None:
            return f"directory {directory} {problem}"
    return None


def read_policy_bytes(name: str, limit: int) -> bytes:
    """The first ``limit`` + 1 bytes of the policy file at ``name``.

    OSError (missing, unreadable, a directory, a symlink loop) propagates for
    the caller to report; UnsafeFile says why the file is refused.
    """
    fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile("not a regular file")
        problem = trust_problem(name, st)
        if problem is not None:
            raise UnsafeFile(f"{problem}; refused, as root would obey whoever can write it")
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            try:
                chunk = os.read(fd, limit + 1 - got)
            except BlockingIOError:
                raise UnsafeFile("reading it would block: not a policy file") from None
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
