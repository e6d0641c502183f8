"""Install laggroam's non-Python files where FreeBSD expects them, paths filled in.

The hooks, the devd snippet and the rc.d script name absolute paths (devd's
PATH lacks /usr/local/bin, freebsd-src usr.sbin/service/service.sh), so they
are templates whose ``%%WORD%%`` placeholders are substituted at install
time: by ``make install`` and the FreeBSD port for a real host, and by the
simulator when it installs laggroam on a simulated one.
"""

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1]
HOOKS = ("link", "ifnet", "power")
_PLACEHOLDER = re.compile(r"%%([A-Z_]+)%%")


class InstallError(Exception):
    """A file to install is missing or a placeholder has no value."""


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


def substitutions(
    layout: Layout,
    *,
    python: str = sys.executable,
    sitelib: str = str(SOURCE),
    socket: str = "/var/run/laggroam.sock",
    laggroam: str | None = None,
    sim: str = "",
) -> dict[str, str]:
    return {
        "PREFIX": layout.prefix,
        "PYTHON": python,
        "PYTHON_SITELIB": sitelib,
        "LIBEXECDIR": layout.libexecdir,
        "SOCKET": socket,
        "LAGGROAM": laggroam or layout.command,
        "SIM": sim,
    }


def fill(text: str, values: Mapping[str, str], name: str) -> str:
    """Replace every ``%%WORD%%``; a word without a value is an error, not a leftover."""

    def one(match: re.Match[str]) -> str:
        word = match.group(1)
        if word not in values:
            raise InstallError(f"{name}: no value for %%{word}%%")
        return values[word]

    return _PLACEHOLDER.sub(one, text)


def plan_files(layout: Layout) -> list[tuple[Path, str, int]]:
    """(source, destination, mode) of every file installed besides the Python package."""
    files = [(SOURCE / "hooks" / h, f"{layout.libexecdir}/{h}", 0o555) for h in HOOKS]
    files += [
        (SOURCE / "devd" / "laggroam.conf", layout.devd_snippet, 0o444),
        (SOURCE / "conf" / "rc.d" / "laggroam", layout.rc_script, 0o555),
        (SOURCE / "conf" / "laggroam.ini.sample", layout.sample, 0o444),
    ]
    for page in sorted((SOURCE / "man").glob("*.[0-9]")):
        section = page.suffix.lstrip(".")
        files.append((page, f"{layout.mandir}/man{section}/{page.name}", 0o444))
    return files


def install(destdir: Path, layout: Layout, values: Mapping[str, str]) -> list[str]:
    """Write the files under ``destdir`` + their installed path; returns those paths."""
    written = []
    for source, dest, mode in plan_files(layout):
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise InstallError(f"{source}: {exc.strerror}") from None
        target = Path(str(destdir) + dest) if str(destdir) not in ("", "/") else Path(dest)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(fill(text, values, str(source)), encoding="utf-8")
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        written.append(dest)
    return written
