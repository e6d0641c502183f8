"""Where a host keeps its files and its programs: the one thing laggroam needs to act on it.

On a FreeBSD host that is ``/`` and the programs' absolute paths
(:meth:`Site.real`).  Another site (a test bed, a simulated host) describes
itself in ``DIR/site.ini``, read here with configparser and checked line by
line, so that the product never knows how such a host is built::

    [site]
    root = root                 # the host's "/" (relative: to DIR)

    [programs]
    ifconfig = bin/ifconfig     # any program of laggroam.core.programs
    sh = /bin/sh                # the shell chained devd actions run in
    path = bin:/sbin:/bin       # the PATH those actions get

A program the file does not name is FreeBSD's.
"""

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from laggroam.core.programs import Programs

if TYPE_CHECKING:
    from laggroam.config.policyread import Section

SITE_FILE = "site.ini"
# A site file is a dozen lines; anything bigger is the wrong file.
MAX_SITE_BYTES = 64 * 1024

# What [programs] may name: every program of the table, the shell and PATH.
PROGRAM_KEYS = tuple(f.name for f in fields(Programs) if f.name != "root")
_SECTIONS = {"site": ("root",), "programs": PROGRAM_KEYS}


class SiteError(Exception):
    """A site that cannot be used: one line, ``FILE:LINE: message`` when it is the file's."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True, slots=True)
class Site:
    """A host: ``root`` is where its files are, ``programs`` what laggroam runs there."""

    root: Path
    programs: Programs

    def __post_init__(self) -> None:
        # rcstatus reads pidfiles under Programs.root: one root for both.
        if self.programs.root != str(self.root):
            object.__setattr__(self, "programs", replace(self.programs, root=str(self.root)))

    @classmethod
    def real(cls) -> "Site":
        """This FreeBSD host: ``/`` and the programs where FreeBSD installs them."""
        return cls(Path("/"), Programs())

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> "Site":
        """The site ``directory/site.ini`` describes; :class:`SiteError` if it cannot be used."""
        base = Path(directory).resolve()
        path = base / SITE_FILE
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_SITE_BYTES + 1)
        except FileNotFoundError:
            raise SiteError(f"{path}: no site file here", missing=True) from None
        except OSError as exc:
            raise SiteError(f"{path}: {exc.strerror or exc}") from None
        return parse(data, base, str(path))

    def path(self, path: str) -> Path:
        """Where the host's ``path`` (a state_dir, a socket, /etc/rc.conf) is from here."""
        if self.root == Path("/"):
            return Path(path)
        return self.root / path.lstrip("/")


def parse(data: bytes, base: Path, name: str) -> Site:
    """The site in ``data`` (the text of ``name``); relative paths are relative to ``base``."""
    if len(data) > MAX_SITE_BYTES:
        raise SiteError(f"{name}:1: larger than {MAX_SITE_BYTES} bytes; not a site file")
    # configparser, with every line's number; imported only when a site is named.
    from laggroam.config.policyread import Errors, read_sections, split_lines

    errors = Errors(name)
    lines = split_lines(data, errors)
    sections = read_sections(lines, errors) if lines is not None else None
    if errors or sections is None:
        raise SiteError(str(errors.sorted()[0]))
    for section in sections:
        _check_keys(section, name)
    by_name = {s.name: s for s in sections}
    site = by_name.get("site")
    if site is None or "root" not in site.values:
        line = site.line if site is not None else 1
        raise SiteError(f"{name}:{line}: [site] needs root = the host's / (a directory)")
    root = _directory(site, "root", base, name)
    programs = by_name.get("programs")
    given = _programs(programs, base, name) if programs is not None else {}
    return Site(root, Programs(**given, root=str(root)))


def _programs(section: "Section", base: Path, name: str) -> dict[str, str]:
    given: dict[str, str] = {}
    for key, value in section.values.items():
        where = f"{name}:{section.key_lines[key]}"
        if key == "path":
            given[key] = _search_path(value, base, where)
        else:
            given[key] = str(_resolve(value, base, where, key))
    return given


def _check_keys(section: "Section", name: str) -> None:
    allowed = _SECTIONS.get(section.name)
    if allowed is None:
        raise SiteError(
            f"{name}:{section.line}: unknown section [{section.name[:40]}]"
            " (a site file has [site] and [programs])"
        )
    for key, line in section.key_lines.items():
        if key not in allowed:
            raise SiteError(
                f"{name}:{line}: unknown key {key[:40]!r} in [{section.name}]"
                f" (one of {', '.join(allowed)})"
            )


def _resolve(value: str, base: Path, where: str, what: str) -> Path:
    text = value.strip()
    if not text:
        raise SiteError(f"{where}: {what} is empty")
    if ":" in text:
        raise SiteError(f"{where}: {what} {text[:40]!r} holds a ':'")
    return Path(os.path.normpath(base / text))


def _directory(section: "Section", key: str, base: Path, name: str) -> Path:
    where = f"{name}:{section.key_lines[key]}"
    path = _resolve(section.values[key], base, where, key)
    if not path.is_dir():
        raise SiteError(f"{where}: {key} {str(path)[:80]!r} is not a directory")
    return path


def _search_path(value: str, base: Path, where: str) -> str:
    """A PATH for chained devd actions: directories separated by ':', relative to ``base``."""
    parts = [part.strip() for part in value.split(":")]
    if not all(parts):
        raise SiteError(f"{where}: path {value.strip()[:40]!r} has an empty directory")
    return ":".join(str(_resolve(part, base, where, "directory")) for part in parts)
