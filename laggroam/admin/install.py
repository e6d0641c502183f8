"""Install laggroam where FreeBSD expects it, paths filled in.

The hooks, the devd snippet and the rc.d script name absolute paths (devd's
PATH lacks /usr/local/bin, freebsd-src usr.sbin/service/service.sh), so they
are templates whose ``%%WORD%%`` placeholders are substituted at install
time: by ``make install`` and the FreeBSD port for a real host, and by the
simulator when it installs laggroam on a simulated one.

``python -m laggroam.admin.install --prefix P --destdir D`` (what ``make install``
runs) also installs the Python package into ``P/lib/pythonX.Y/site-packages``
with the ``laggroam`` command in ``P/bin``, byte-compiled, so that a hook
never pays for compiling it.  The port builds the package itself
(``USE_PYTHON=pep517``) and runs this with ``--no-package``.

The templates and man pages travel inside the package (``shipped()``), so an
installed package -- a wheel, the port's package -- installs its own files.
"""

import argparse
import compileall
import os
import re
import shutil
import sys
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import NoReturn

from laggroam.config.layout import HOOKS, Layout

# Where the running package is imported from: the checkout, or site-packages.
SOURCE = Path(__file__).resolve().parents[2]
PACKAGE = "laggroam"
_PLACEHOLDER = re.compile(r"%%([A-Z_]+)%%")


class InstallError(Exception):
    """A file to install is missing or a placeholder has no value."""


def substitutions(
    layout: Layout,
    *,
    python: str = sys.executable,
    sitelib: str = str(SOURCE),
    socket: str = "/var/run/laggroam.sock",
    laggroam: str | None = None,
) -> dict[str, str]:
    return {
        "PREFIX": layout.prefix,
        "PYTHON": python,
        "PYTHON_SITELIB": sitelib,
        "LIBEXECDIR": layout.libexecdir,
        "SOCKET": socket,
        "LAGGROAM": laggroam or layout.command,
    }


def fill(text: str, values: Mapping[str, str], name: str) -> str:
    """Replace every ``%%WORD%%``; a word without a value is an error, not a leftover."""

    def one(match: re.Match[str]) -> str:
        word = match.group(1)
        if word not in values:
            raise InstallError(f"{name}: no value for %%{word}%%")
        return values[word]

    return _PLACEHOLDER.sub(one, text)


def shipped() -> Traversable:
    """The hooks/, devd/, conf/ and man/ of the checkout, as the package carries them.

    ``laggroam/files/`` holds symbolic links to those top-level directories;
    pyproject.toml declares what of them is package data, so a wheel, an
    sdist, the port's package and an editable install all have them here,
    found through the import system rather than next to a checkout.
    """
    return resources.files(PACKAGE).joinpath("files")


_MAN_PAGE = re.compile(r"[^.][^/]*\.([0-9])")  # laggroam.8 -> section 8


def plan_files(layout: Layout) -> list[tuple[Traversable, str, int]]:
    """(source, destination, mode) of every file installed besides the Python package."""
    data = shipped()
    planned = [(data / "hooks" / h, f"{layout.libexecdir}/{h}", 0o555) for h in HOOKS]
    planned += [
        (data / "devd" / "laggroam.conf", layout.devd_snippet, 0o444),
        (data / "conf" / "rc.d" / "laggroam", layout.rc_script, 0o555),
        (data / "conf" / "laggroam.ini.sample", layout.sample, 0o444),
    ]
    man = data / "man"
    found = sorted(man.iterdir(), key=lambda p: p.name) if man.is_dir() else []
    pages = [(p, m.group(1)) for p in found if (m := _MAN_PAGE.fullmatch(p.name))]
    if not pages:  # a package built without its data: say so rather than install less
        raise InstallError(f"{man}: no man page to install")
    planned += [(p, f"{layout.mandir}/man{section}/{p.name}", 0o444) for p, section in pages]
    return planned


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


# --- the Python package and the command -------------------------------------

COMMAND = '''#!%%PYTHON%%
"""laggroam(8): keep lagg(4) failover right as links come and go.

Written by "make install"; the package lives in %%PYTHON_SITELIB%%.
"""

import sys

if "%%PYTHON_SITELIB%%" not in sys.path:
    sys.path.insert(0, "%%PYTHON_SITELIB%%")

from laggroam.admin.cli import main

sys.exit(main())
'''


def staged(destdir: Path, path: str) -> Path:
    """``path`` as written under ``destdir`` (the staging root; "" or "/" for none)."""
    root = str(destdir)
    return Path(root + path) if root not in ("", ".", "/") else Path(path)


def default_python() -> str:
    """The interpreter the installed files should name: never a virtualenv's.

    ``make install`` runs from the checkout's .venv, which a real host does not
    keep; the base interpreter of the same version (on FreeBSD
    /usr/local/bin/python3.11, python-on-freebsd.md section 5) is what devd
    and rc can run.
    """
    major, minor = sys.version_info[:2]
    versioned = Path(sys.base_prefix) / "bin" / f"python{major}.{minor}"
    if versioned.is_file():
        return str(versioned)
    return str(getattr(sys, "_base_executable", "") or sys.executable)


def _package_data() -> list[str]:
    """The package-data globs pyproject.toml declares, so both installs ship the same."""
    pyproject = SOURCE / "pyproject.toml"
    if not pyproject.is_file():
        raise InstallError(
            f"{SOURCE / PACKAGE}: an installed package, not a checkout;"
            " install only the other files, with --no-package"
        )
    try:
        with pyproject.open("rb") as f:
            project = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InstallError(f"{pyproject}: {exc}") from None
    data = project.get("tool", {}).get("setuptools", {}).get("package-data", {})
    globs = data.get(PACKAGE, [])
    return [str(g) for g in globs] if isinstance(globs, list) else []


def package_files() -> list[tuple[Path, str]]:
    """(source, path relative to site-packages) of every file of the package.

    The same selection as setuptools makes from pyproject.toml: the modules
    of every package (a directory with ``__init__.py``) plus the package-data.
    """
    root = SOURCE / PACKAGE
    if not (root / "__init__.py").is_file():
        raise InstallError(f"{root}: no Python package here")
    chosen: set[Path] = set()
    for init in root.rglob("__init__.py"):
        if "__pycache__" not in init.parts:
            chosen.update(p for p in init.parent.glob("*.py") if p.is_file())
    for pattern in _package_data():
        chosen.update(p for p in root.glob(pattern) if p.is_file())
    return [(p, str(p.relative_to(SOURCE))) for p in sorted(chosen)]


def install_package(destdir: Path, layout: Layout, values: Mapping[str, str]) -> list[str]:
    """Copy the package to ``PYTHON_SITELIB``, byte-compile it, write the command.

    Returns the installed paths (the command and the package's files; the
    ``__pycache__`` files are not listed).  A package already there is
    replaced, so no module of an older version stays behind.
    """
    sitelib = values["PYTHON_SITELIB"]
    target = staged(destdir, f"{sitelib}/{PACKAGE}")
    if target.resolve() == (SOURCE / PACKAGE).resolve():
        raise InstallError(f"{target}: that is the source being installed")
    files = package_files()  # before anything is removed: it may refuse
    if target.exists():
        shutil.rmtree(target)
    written = []
    for source, relative in files:
        dest = staged(destdir, f"{sitelib}/{relative}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        os.chmod(dest, 0o444)
        written.append(f"{sitelib}/{relative}")
    # ddir: tracebacks name the installed path, not the staging directory.
    if not compileall.compile_dir(target, ddir=f"{sitelib}/{PACKAGE}", quiet=1):
        raise InstallError(f"{target}: byte-compiling failed")
    command = staged(destdir, layout.command)
    command.parent.mkdir(parents=True, exist_ok=True)
    tmp = command.with_name(f".{command.name}.tmp")
    tmp.write_text(fill(COMMAND, values, "the laggroam command"), encoding="utf-8")
    os.chmod(tmp, 0o555)  # noqa: S103 -- a command in bin/ is for everyone to run
    os.replace(tmp, command)
    return [layout.command, *written]


class _Parser(argparse.ArgumentParser):
    """Bad usage exits 64 (sysexits.h EX_USAGE), as the laggroam command does."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"laggroam.admin.install: {message}", file=sys.stderr)
        sys.exit(64)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m laggroam.admin.install",
        description="Install laggroam under PREFIX, staged in DESTDIR (hier(7), ports).",
    )
    parser.add_argument("--prefix", default="/usr/local", help="installed prefix (/usr/local)")
    parser.add_argument("--destdir", default="", help="staging root the files are written under")
    parser.add_argument(
        "--python",
        help="interpreter the command and hooks run (default: this one's base interpreter;"
        " the package is byte-compiled for this one's version)",
    )
    parser.add_argument(
        "--sitelib", help="site-packages the package is in (PREFIX/lib/pythonX.Y/site-packages)"
    )
    parser.add_argument(
        "--socket", default="/var/run/laggroam.sock", help="the daemon's socket the hooks use"
    )
    parser.add_argument(
        "--no-package", action="store_true", help="only the hooks, devd, rc.d, sample, man pages"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list the installed files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``make install``: exit 0, 64 on bad usage, 66 when a file to install is
    missing, 73 when a file cannot be written."""
    parser = _parser()
    args = parser.parse_args(argv)
    prog = "laggroam.admin.install"
    for name in ("prefix", "python", "sitelib"):
        value = getattr(args, name)
        if value is not None and not value.startswith("/"):
            print(f"{prog}: --{name} must be an absolute path: {value!r}", file=sys.stderr)
            return 64
    layout = Layout(args.prefix.rstrip("/"))  # "/" -> "", so paths are "/bin/...", not "//bin"
    values = substitutions(
        layout,
        python=args.python or default_python(),
        sitelib=args.sitelib or layout.sitelib(),
        socket=args.socket,
    )
    destdir = Path(args.destdir).resolve() if args.destdir else Path("/")
    try:
        written = [] if args.no_package else install_package(destdir, layout, values)
        written += install(destdir, layout, values)
    except InstallError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 66
    except OSError as exc:
        print(f"{prog}: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 73
    if args.verbose:
        for path in written:
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
