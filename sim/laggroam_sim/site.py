"""The simulated host as a laggroam site: its ``/`` under DIR/root, its programs under DIR/bin.

The product knows a host only as a site (laggroam.edge.site): the simulator
writes ``DIR/site.ini`` when it builds a host, and ``laggroam --site DIR``
reads it.  :func:`site_of` is the same site without the file, for the
simulator's own in-process use.
"""

import shutil
from pathlib import Path

from laggroam.core.programs import Programs
from laggroam.edge.site import PROGRAM_KEYS, SITE_FILE, Site
from laggroam_sim.atomicfile import write_atomic

# The stand-ins under DIR/bin, one per program of the product's table.
STANDINS = tuple(key for key in PROGRAM_KEYS if key not in ("sh", "path"))
# Not on the devd PATH: a chained action that names a program the simulator
# has no stand-in for fails instead of running the development machine's.
PATH_AFTER_BIN = "/usr/bin:/bin"


def shell() -> str:
    """The shell of chained devd actions.

    FreeBSD's sh reads devd's ``$'...'`` quoting (sbin/devd/devd.cc quotes
    ``$*`` that way); Debian's dash does not, bash does.
    """
    return shutil.which("bash") or "/bin/bash"


def site_of(sim_dir: Path) -> Site:
    """The site of the simulated host in ``sim_dir`` (it need not exist yet)."""
    base = Path(sim_dir).resolve()
    bin_dir = base / "bin"
    programs = {key: str(bin_dir / key) for key in STANDINS}
    return Site(
        base / "root",
        Programs(**programs, sh=shell(), path=f"{bin_dir}:{PATH_AFTER_BIN}"),
    )


def write(sim_dir: Path) -> Path:
    """Write DIR/site.ini, the host described for ``laggroam --site DIR``; its path."""
    lines = [
        "# laggroam site: the simulated FreeBSD host in this directory (laggroam-sim).",
        "# Relative paths are relative to this directory.",
        "[site]",
        "root = root",
        "",
        "[programs]",
        *(f"{key} = bin/{key}" for key in STANDINS),
        f"sh = {shell()}",
        f"path = bin:{PATH_AFTER_BIN}",
        "",
    ]
    path = Path(sim_dir) / SITE_FILE
    write_atomic(path, "\n".join(lines))
    return path
