"""The stand-in scripts under DIR/bin and DIR/root/etc, and the host's laggroam command.

A stand-in is a tiny script with FreeBSD's program name that hands its argv
to ``standinmain.main``; the host's ``/usr/local/bin/laggroam`` is the
product's own main told its site.  Writing them is apart from running them,
so that devd (which installs them) and the settling test import no program.
"""

import stat
import sys
from pathlib import Path

PROGRAMS = (
    "ifconfig", "service", "dhclient", "wpa_supplicant", "wpa_cli", "sysctl", "sysrc", "ps",
    "rtsol", "rtsold", "ndp",
)  # fmt: skip
# The scripts devd's stock rules name by absolute path, under DIR/root as on
# FreeBSD (freebsd-src libexec/rc/pccard_ether, rc.resume, rc.suspend).
ROOT_SCRIPTS = ("etc/pccard_ether", "etc/rc.resume", "etc/rc.suspend")

# -S: no site (its import finders and .pth files cost more than the stand-in's
# own work); the package is found where this one was imported from.
SCRIPT = """#!{python} -S
# laggroam simulator stand-in for FreeBSD's {prog}; the host lives in {up}
import sys

sys.path[:0] = {packages!r}
from pathlib import Path

from laggroam_sim.standinmain import main

sys.exit(main({prog!r}, sys.argv[1:], Path(__file__).resolve().parents[{depth}]))
"""

# The laggroam command of the simulated host: the product's own main, told
# which site it is on.  -S as for the stand-ins: a hook's one-shot starts one.
COMMAND = """#!{python} -S
# laggroam on the simulated host in {sim_dir}: laggroam --site {sim_dir}
import sys

sys.path[:0] = {packages!r}
from laggroam.admin.cli import main

sys.exit(main(["--site", {sim_dir!r}, *sys.argv[1:]]))
"""


def install(sim_dir: Path) -> None:
    """Write the stand-ins into DIR/bin and DIR/root/etc (shebang: this interpreter),
    and DIR/site.ini, which tells ``laggroam --site DIR`` where they are."""
    from laggroam_sim import site

    for prog in PROGRAMS:
        _write(Path(sim_dir) / "bin" / prog, prog, 1)
    for rel in ROOT_SCRIPTS:
        _write(Path(sim_dir) / "root" / rel, Path(rel).name, 2)
    site.write(sim_dir)


def _write(path: Path, prog: str, depth: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    up = "/".join([".."] * depth) + "/"
    path.write_text(
        SCRIPT.format(python=sys.executable, prog=prog, up=up, depth=depth, packages=_packages())
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _packages(*others: str) -> list[str]:
    """Where the simulator, the product it drives and ``others`` (packages) are found."""
    import importlib.util

    import laggroam

    here = [
        str(Path(__file__).resolve().parents[1]),
        str(Path(laggroam.__file__).resolve().parents[1]),
    ]
    for name in others:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin is not None:
            up = 1 if spec.submodule_search_locations else 0
            here.append(str(Path(spec.origin).resolve().parents[up]))
    return list(dict.fromkeys(here))


def command_path(sim_dir: Path) -> Path:
    """Where the simulated host's laggroam command is: /usr/local/bin, as a package puts it."""
    return Path(sim_dir).resolve() / "root/usr/local/bin/laggroam"


def install_command(sim_dir: Path) -> Path:
    """Write the host's laggroam command (it needs the daemon's packages too); its path."""
    path = command_path(sim_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = COMMAND.format(
        python=sys.executable,
        sim_dir=str(Path(sim_dir).resolve()),
        packages=_packages("watchdog", "sdnotify"),
    )
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path
