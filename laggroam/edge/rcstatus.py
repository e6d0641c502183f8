"""Is a daemon running?  Decided the way rc.subr decides it, without a shell per question.

``service dhclient status lagg0`` is a /bin/sh that reads rc.subr and every
rc.conf file, then runs ``check_pidfile``: read the first word of the
script's pidfile and ask ps(1) whether that pid runs the program
(freebsd-src libexec/rc/rc.subr ``check_pidfile``, ``_find_processes``).
laggroam reads the pidfiles itself and asks ps once for all of them.

* Pidfiles: ``/var/run/dhclient/dhclient.IF.pid`` (libexec/rc/rc.d/dhclient,
  ``pidfile="/var/run/dhclient/${name}.${ifn}.pid"``) and
  ``/var/run/wpa_supplicant/IF.pid`` (libexec/rc/rc.d/wpa_supplicant, passed to
  the daemon as ``-P``).
* The listing: ``$PS -o pid= -o jid= -o command= -p PID`` with
  ``PS="/bin/ps -ww"`` (rc.subr); ``-p`` takes a comma-separated list
  (bin/ps/ps.c ``add_list``) and ps exits 1 when no process matched.
* The match: the first word of ``command`` is the procname, its basename, the
  basename plus ``:`` (a daemon that called setproctitle(3): dhclient shows
  ``dhclient: lagg0 (dhclient)``, sbin/dhclient/dhclient.c and bin/ps/fmt.c
  ``fmt_argv``), or the basename in ``()`` or ``[]``; and the jail id is 0.
  The procname is the rc.d script's ``command``: ``${name}_program``, by
  default /sbin/dhclient and /usr/sbin/wpa_supplicant (libexec/rc/rc.conf).
  laggroam does not read rc.conf for a changed ``*_program``, so it matches
  on the basename alone (a program of the same name elsewhere counts too).

Where rc.subr would print "not running" for a pidfile it cannot make sense
of, laggroam says "unknown" instead: it never acts on what it could not read.
"""

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from laggroam.core.host import Process

# A pidfile holds one pid and a newline (lib/libutil/pidfile.c pidfile_write);
# anything much longer is not a pidfile.
PIDFILE_MAX = 64
# bin/ps/ps.c addelem_pid: BSD_PID_MAX 99999 (sys/sys/proc.h PID_MAX)
PID_MAX = 99999

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Daemon:
    """An rc.d-started daemon laggroam looks after: its program and pidfile per interface."""

    name: str
    pidfile: str

    def pidfile_for(self, ifname: str) -> str:
        return self.pidfile.format(ifname)


DHCLIENT = Daemon("dhclient", "/var/run/dhclient/dhclient.{}.pid")
WPA_SUPPLICANT = Daemon("wpa_supplicant", "/var/run/wpa_supplicant/{}.pid")


class Unreadable(Exception):
    """A pidfile or a ps listing that cannot be read: the state is unknown."""


def read_pidfile(root: str, path: str) -> int | None:
    """The pid in ``path`` under ``root``; None when there is none (not running).

    rc.subr: no pidfile, or no pid in it, means not running.  A pidfile that
    cannot be read, or holds something that is not a pid, raises Unreadable.
    """
    full = os.path.join(root, path.lstrip("/"))  # a str: pathlib costs more than the read
    try:
        fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Unreadable(f"{path}: {exc.strerror or exc}") from None
    try:
        data = os.read(fd, PIDFILE_MAX + 1)
    except OSError as exc:
        raise Unreadable(f"{path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > PIDFILE_MAX:
        raise Unreadable(f"{path}: longer than a pidfile")
    words = data.decode("ascii", "replace").partition("\n")[0].split()
    if not words:
        return None  # rc.subr: "no pid in file"
    word = words[0]
    if not word.isdigit() or not 0 < int(word) <= PID_MAX:
        raise Unreadable(f"{path}: {word[:20]!r} is not a pid")
    return int(word)


class Pidfiles:
    """Reads pidfiles under ``root``, listing each pidfile directory once.

    A pidfile that is not in its directory's listing is absent (rc.subr: not
    running) without an open of its own, so the many interfaces that run no
    daemon cost nothing.  A directory that cannot be listed falls back to
    opening each pidfile, which decides as :func:`read_pidfile` always did.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self._listed: dict[str, frozenset[str] | None] = {}

    def read(self, path: str) -> int | None:
        """As :func:`read_pidfile`; raises Unreadable likewise."""
        directory, _, name = path.rpartition("/")
        if directory not in self._listed:
            self._listed[directory] = self._list(directory)
        names = self._listed[directory]
        if names is not None and name not in names:
            return None  # rc.subr: no pidfile, not running
        return read_pidfile(self.root, path)

    def _list(self, directory: str) -> frozenset[str] | None:
        full = os.path.join(self.root, directory.lstrip("/")) or "."
        try:
            with os.scandir(full) as entries:
                names = frozenset(entry.name for entry in entries)
        except FileNotFoundError:
            return frozenset()  # no directory: no pidfile in it
        except OSError:
            return None  # not listable (permissions, not a directory): open each
        # Listable but not searchable: an open there fails, absent name or not.
        searchable = os.access(full, os.X_OK, effective_ids=os.access in os.supports_effective_ids)
        return names if searchable else None


def ps_argv(ps: str, pids: Iterable[int]) -> list[str]:
    """rc.subr's listing, for every pid at once."""
    listed = ",".join(str(p) for p in sorted(set(pids)))
    return [ps, "-ww", "-o", "pid=", "-o", "jid=", "-o", "command=", "-p", listed]


def parse_ps(text: str) -> dict[int, tuple[int, str]]:
    """``pid jid command`` lines as {pid: (jid, command)}; a garbled line raises Unreadable."""
    found: dict[int, tuple[int, str]] = {}
    if text and not text.endswith("\n"):
        raise Unreadable("ps: output cut short (no final newline)")
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.split(None, 2)
        if len(parts) < 3 or not parts[0].isdigit() or not parts[1].isdigit():
            raise Unreadable(f"ps: unexpected line {line[:60]!r}")
        found[int(parts[0])] = (int(parts[1]), parts[2])
    return found


def runs(command: str, procname: str) -> bool:
    """rc.subr ``_find_processes``' match of a command's first word against a procname."""
    words = command.split(None, 1)
    if not words:
        return False
    base = procname.rsplit("/", 1)[-1]
    first = words[0]
    return first in (procname, base, f"{base}:", f"({base})", f"[{base}]") or (
        first.rsplit("/", 1)[-1] == base
    )


def states(
    pids: Mapping[K, int | None], procs: Mapping[K, str], listing: dict[int, tuple[int, str]]
) -> dict[K, Process]:
    """Each key's Process from its pidfile's pid and the listing; ``procs`` names its program."""
    out = {}
    for key, pid in pids.items():
        if pid is None:
            out[key] = Process(False, None)
            continue
        entry = listing.get(pid)
        running = entry is not None and entry[0] == 0 and runs(entry[1], procs[key])
        out[key] = Process(True, pid) if running else Process(False, None)
    return out
