"""Where laggroam is installed under a prefix, and which socket its installed hooks name.

The policy's ``socket`` must be the one the hooks beside it send to, so the
layout the installer uses is known here, where the policy is validated.
"""

import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

HOOKS = ("link", "ifnet", "power")


@dataclass(frozen=True, slots=True)
class Layout:
    """Where things go under ``prefix`` (hier(7), Porter's Handbook)."""

    prefix: str = "/usr/local"

    @property
    def libexecdir(self) -> str:
        return f"{self.prefix}/libexec/laggroam"

    @property
    def devd_snippet(self) -> str:
        return f"{self.prefix}/etc/devd/laggroam.conf"

    @property
    def rc_script(self) -> str:
        return f"{self.prefix}/etc/rc.d/laggroam"

    @property
    def sample(self) -> str:
        return f"{self.prefix}/etc/laggroam/laggroam.ini.sample"

    @property
    def mandir(self) -> str:
        return f"{self.prefix}/share/man"

    @property
    def command(self) -> str:
        return f"{self.prefix}/bin/laggroam"

    def sitelib(self, version: tuple[int, int] = sys.version_info[:2]) -> str:
        """Where a Python of ``version`` installed under ``prefix`` looks for packages."""
        return f"{self.prefix}/lib/python{version[0]}.{version[1]}/site-packages"


# The line of each hook that names its socket (hooks/link, hooks/ifnet, hooks/power).
_HOOK_SOCKET = re.compile(r'^run\(sys\.argv, "[a-z]+", "([^"\n]*)",', re.MULTILINE)
MAX_HOOK_BYTES = 64 * 1024


def hooks_beside(policy_path: str) -> tuple[Path, Path] | None:
    """(host root, the hooks' directory) for a policy in PREFIX/etc/laggroam, else None.

    A prefix ending in ``usr/local`` under another directory is a host root
    seen from outside (a site's root, ``--site DIR``); otherwise the root is ``/``.
    """
    policy = Path(os.path.abspath(policy_path))
    if policy.parent.name != "laggroam" or policy.parent.parent.name != "etc":
        return None
    prefix = policy.parents[2]
    root = prefix.parents[1] if prefix.parts[-2:] == ("usr", "local") else Path("/")
    return root, Path(Layout(str(prefix)).libexecdir)


def installed_sockets(libexecdir: Path) -> dict[str, str]:
    """The socket each installed hook sends to, by hook file; none when not installed."""
    found = {}
    for hook in HOOKS:
        path = libexecdir / hook
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            text = os.read(fd, MAX_HOOK_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        finally:
            os.close(fd)
        match = _HOOK_SOCKET.search(text)
        if match is not None:
            found[str(path)] = match.group(1)
    return found


def socket_disagreement(policy_path: str, socket: str) -> str | None:
    """Why the hooks installed beside the policy would not reach a daemon on ``socket``."""
    beside = hooks_beside(policy_path)
    if beside is None:
        return None
    root, libexecdir = beside
    # A tree staged with DESTDIR holds hooks that name the socket as the host
    # will see it; a site's root holds hooks that name it from outside.
    wanted = (socket, str(root / socket.lstrip("/")))
    for hook, used in installed_sockets(libexecdir).items():
        if used not in wanted:
            seen = "/" + str(Path(used).relative_to(root)) if used.startswith(str(root)) else used
            return (
                f"the installed hook {hook} sends events to {seen}, not {socket}: every event"
                f" would bypass the daemon; set socket = {seen}, or reinstall laggroam with"
                f" --socket {socket}"
            )
    return None
