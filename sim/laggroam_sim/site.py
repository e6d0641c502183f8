"""The simulated host as a laggroam site: its ``/`` under DIR/root, its programs under DIR/bin.

The product knows a host only as a site (laggroam.edge.site): the simulator
writes ``DIR/site.ini`` when it builds a host, and ``laggroam --site DIR``
reads it.  :func:`site_of` is the same site without the file, for the
simulator's own in-process use; both come from one description (``_programs``).
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


# The one description of the site, relative to DIR: ``write`` renders it as
# DIR/site.ini, ``site_of`` resolves it without the file.
ROOT = "root"


def _programs() -> dict[str, str]:
    """Each program of the product's table, and devd's PATH, as site.ini gives them."""
    return {
        **{key: f"bin/{key}" for key in STANDINS},
        "sh": shell(),
        "path": f"bin:{PATH_AFTER_BIN}",
    }


def site_of(sim_dir: Path) -> Site:
    """The site of the simulated host in ``sim_dir`` (it need not exist yet): what
    ``laggroam --site DIR`` reads from the file ``write`` makes."""
    base = Path(sim_dir).resolve()
    given = _programs()
    path = ":".join(str(base / part) if not part.startswith("/") else part
                    for part in given.pop("path").split(":"))  # fmt: skip
    programs = {key: str(base / value) for key, value in given.items()}
    return Site(base / ROOT, Programs(**programs, path=path))


def write(sim_dir: Path) -> Path:
    """Write DIR/site.ini, the host described for ``laggroam --site DIR``; its path."""
    lines = [
        "# laggroam site: the simulated FreeBSD host in this directory (laggroam-sim).",
        "# Relative paths are relative to this directory.",
        "[site]",
        f"root = {ROOT}",
        "",
        "[programs]",
        *(f"{key} = {value}" for key, value in _programs().items()),
        "",
    ]
    path = Path(sim_dir) / SITE_FILE
    write_atomic(path, "\n".join(lines))
    return path
