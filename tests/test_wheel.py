"""A wheel of the checkout, installed outside it, runs every command laggroam(8) lists.

The wheels (the product's and the simulator's, ``pip wheel . ./sim --no-deps``)
are built once per session from a copy of the checkout, so that no ``build/``
left in the checkout can slip stale modules into them, and installed with
``--no-deps --no-index`` into a virtual environment in a temporary directory.
Its runtime dependencies (watchdog, sdnotify) come from the development
environment through a ``.pth`` line, which adds that directory to ``sys.path``
without running its ``.pth`` files: the checkout's editable finder is not
installed, so only the wheel's laggroam can be imported.

Every program then runs from a temporary directory with no PYTHONPATH; the
installed package installs its own hooks, devd snippet, rc script, sample and
man pages (``laggroam.admin.install --no-package``, what the port runs), and
each command of the installed page's SYNOPSIS is run for real on captures and
temporary files, or, where it would act on this host, the documented way it
declines to: ``apply --coalesce`` while a reconcile holds the lock, ``daemon``
while another daemon holds the pid file.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from laggroam import __version__
from laggroam.admin import install
from laggroam.config.layout import Layout
from laggroam.daemon import pidfile
from laggroam.daemon.daemonstatus import PID_FILE
from laggroam.edge.store import Store

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "/usr/local"
LAYOUT = Layout(PREFIX)
# What a checkout holds that is not the project: git's own, and what git ignores.
IGNORED = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
NOT_THE_PROJECT = shutil.ignore_patterns(".git", *(p.strip("/") for p in IGNORED))
CAPTURE = "laggroam/captures/laptop-lagg0-wlan0-dropped-15.txt"
LINK_UP = "!system=IFNET subsystem=em0 type=LINK_UP"
# The FreeBSD Handbook's failover between Ethernet and wireless (network-aggregation).
RC_CONF = (
    'ifconfig_em0="up"\n'
    'wlans_iwn0="wlan0"\n'
    'ifconfig_wlan0="WPA"\n'
    'cloned_interfaces="lagg0"\n'
    'ifconfig_lagg0="up laggproto failover laggport em0 laggport wlan0 DHCP"\n'
)


def synopsis_commands(page: str) -> list[str]:
    """The commands a SYNOPSIS lists: the ``.Cm`` words of each ``.Nm`` entry that has any."""
    lines = page.splitlines()
    start = lines.index(".Sh SYNOPSIS") + 1
    entries: list[list[str]] = []
    for line in lines[start:]:
        if line.startswith(".Sh "):
            break
        if line == ".Nm":
            entries.append([])
        elif line.startswith(".Cm ") and entries:
            entries[-1].extend(line.split()[1:])
    return [" ".join(words) for words in entries if words]


SOURCE_COMMANDS = synopsis_commands((ROOT / "man" / "laggroam.8").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Installed:
    """The fresh environment, what its package staged, and a place to run from."""

    checkout: Path
    venv: Path
    sitelib: Path
    destdir: Path
    work: Path
    wheels: tuple[Path, ...]

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def staged(self, path: str) -> Path:
        """An installed path (``/usr/local/...``) as staged under the DESTDIR."""
        return self.destdir / path.lstrip("/")

    @property
    def sample(self) -> Path:
        return self.staged(LAYOUT.sample)

    def run(self, *argv: str | Path, timeout: float = 60) -> "subprocess.CompletedProcess[str]":
        """A program of the fresh environment (``laggroam`` unless a path is given), by itself."""
        program = argv[0] if isinstance(argv[0], Path) else self.venv / "bin" / argv[0]
        return subprocess.run(
            [str(program), *map(str, argv[1:])],
            cwd=self.work,
            env={"PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _checked(argv: list[str], timeout: float) -> None:
    out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    assert out.returncode == 0, f"{argv}: {out.stderr}"


def _fresh_venv(where: Path) -> tuple[Path, Path]:
    """(venv, its site-packages): no pip; this environment's site-packages is seen after."""
    venv = where / "venv"
    _checked([sys.executable, "-m", "venv", "--without-pip", str(venv)], timeout=60)
    out = subprocess.run(
        [str(venv / "bin/python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    sitelib = Path(out.stdout.strip())
    (sitelib / "runtime-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv, sitelib


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    top = tmp_path_factory.mktemp("wheel")
    source = top / "checkout"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_THE_PROJECT)
    wheels = top / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels)]
    _checked([*build, str(source), str(source / "sim")], timeout=300)
    built = tuple(sorted(wheels.glob("*.whl")))
    venv, sitelib = _fresh_venv(top)
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin/python"), "install", "-q"]
    _checked([*pip, "--no-deps", "--no-index", *map(str, built)], timeout=120)
    work = top / "work"
    work.mkdir()
    found = Installed(source, venv, sitelib, top / "destdir", work, built)
    out = found.run(
        found.python,
        *("-m", "laggroam.admin.install", "--no-package", "--prefix", PREFIX),
        *("--destdir", found.destdir, "--python", found.python, "--sitelib", sitelib),
    )
    assert (out.returncode, out.stderr) == (0, "")
    return found


def _tree(root: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(root)): (stat.S_IMODE(p.stat().st_mode), p.read_bytes())
        for p in root.rglob("*")
        if p.is_file()
    }


# --- the wheel and the environment ----------------------------------------------


def test_only_the_wheels_laggroam_is_importable(installed: Installed) -> None:
    probe = (
        "import json, sys, laggroam, laggroam_sim, watchdog, sdnotify\n"
        "print(json.dumps([laggroam.__file__, laggroam_sim.__file__, sys.path]))\n"
    )
    out = installed.run(installed.python, "-c", probe)
    assert out.returncode == 0, out.stderr
    product, simulator, path = json.loads(out.stdout)
    assert Path(product).is_relative_to(installed.sitelib)
    assert Path(simulator).is_relative_to(installed.sitelib)
    assert not any(Path(p).resolve() == ROOT for p in path if p)


def _package_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {n for n in archive.namelist() if ".dist-info/" not in n}


def _product_wheel(installed: Installed) -> Path:
    [wheel] = [w for w in installed.wheels if w.name.startswith("laggroam-")]
    return wheel


def test_wheel_ships_what_make_install_copies(installed: Installed) -> None:
    """The wheel's package files are the ones ``make install`` copies (package_files)."""
    names = _package_names(_product_wheel(installed))
    assert names == {relative for _, relative in install.package_files()}


# The backend, given the checkout: an sdist, then a wheel from what the sdist unpacks to.
SDIST_THEN_WHEEL = """
import os, sys, tarfile
from setuptools import build_meta
out = sys.argv[1]
sdist = os.path.join(out, build_meta.build_sdist(out))
with tarfile.open(sdist) as archive:
    archive.extractall(out, filter="data")
os.chdir(os.path.join(out, os.path.basename(sdist).removesuffix(".tar.gz")))
print(os.path.join(out, build_meta.build_wheel(out)))
"""


def test_an_sdist_builds_the_same_wheel(installed: Installed, tmp_path: Path) -> None:
    """The sdist carries the linked files as files: its wheel is the checkout's."""
    backend = tmp_path / "backend"
    _checked([sys.executable, "-m", "venv", "--without-pip", str(backend)], timeout=60)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (requirement,) = pyproject["build-system"]["requires"]
    pip = [sys.executable, "-m", "pip", "--python", str(backend / "bin/python"), "install"]
    _checked([*pip, "-q", requirement], timeout=120)
    out = subprocess.run(
        [str(backend / "bin/python"), "-c", SDIST_THEN_WHEEL, str(tmp_path / "dist")],
        cwd=installed.checkout,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    wheel = Path(out.stdout.splitlines()[-1])
    assert _package_names(wheel) == _package_names(_product_wheel(installed))


def test_installed_package_installs_what_the_checkout_installs(
    installed: Installed, tmp_path: Path
) -> None:
    args = ["--no-package", "--prefix", PREFIX, "--destdir", str(tmp_path)]
    args += ["--python", str(installed.python), "--sitelib", str(installed.sitelib)]
    assert install.main(args) == 0
    assert _tree(installed.destdir) == _tree(tmp_path)


def test_installed_check_accepts_the_sample_it_installed(installed: Installed) -> None:
    out = installed.run("laggroam", "check", "-c", installed.sample)
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")


def test_installed_version(installed: Installed) -> None:
    out = installed.run("laggroam", "--version")
    assert (out.returncode, out.stdout) == (0, f"laggroam {__version__}\n")


def test_installed_hook_runs_on_the_installed_package(installed: Installed) -> None:
    hook = installed.staged(f"{LAYOUT.libexecdir}/link")
    out = installed.run(hook, "!system=ACPI subsystem=Resume type=Resume")
    assert out.returncode == 0
    assert out.stderr == "laggroam-hook: refused link event: system is not IFNET\n"


def test_installed_package_does_not_copy_itself(installed: Installed, tmp_path: Path) -> None:
    """The package is pip's or pkg's to install; the installer says to use --no-package."""
    out = installed.run(installed.python, "-m", "laggroam.admin.install", "--destdir", tmp_path)
    assert out.returncode == 66
    assert out.stderr == (
        f"laggroam.admin.install: {installed.sitelib / 'laggroam'}: an installed package,"
        " not a checkout; install only the other files, with --no-package\n"
    )
    assert not any(tmp_path.iterdir())


def test_simulator_wheel_installs_beside_the_product(installed: Installed) -> None:
    """Its commands, if it declares any, are in the environment and their functions load."""
    probe = (
        "import json, importlib.metadata as md\n"
        "eps = md.distribution('laggroam-sim').entry_points\n"
        "print(json.dumps({e.name: callable(e.load()) for e in eps"
        " if e.group == 'console_scripts'}))\n"
    )
    out = installed.run(installed.python, "-c", probe)
    assert out.returncode == 0, out.stderr
    for name, loads in json.loads(out.stdout).items():
        assert loads, name
        assert (installed.venv / "bin" / name).is_file(), name


def test_the_simulator_command_runs_installed(installed: Installed, tmp_path: Path) -> None:
    """laggroam-sim: its verbs are listed, and the demo's --dir is checked before any story."""
    out = installed.run("laggroam-sim", "help")
    assert out.returncode == 0, out.stderr
    assert "demo" in out.stdout
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = installed.run("laggroam-sim", "demo", "--dir", blocker)
    assert out.returncode == 73, out.stderr
    assert "not a directory" in out.stderr and out.stderr.count("\n") == 1


# --- every command of laggroam(8) -------------------------------------------------


def _policy_with_state(installed: Installed, tmp: Path) -> tuple[Path, Store]:
    """The installed sample with its state directory under ``tmp``."""
    state = tmp / "state"
    state.mkdir(mode=0o700)
    policy = tmp / "laggroam.ini"
    text = installed.sample.read_text(encoding="utf-8")
    policy.write_text(f"{text}\n[daemon]\nstate_dir = {state}\n", encoding="utf-8")
    return policy, Store(state)


def _check(installed: Installed, tmp: Path) -> None:
    out = installed.run("laggroam", "check", "-c", installed.sample)
    assert (out.returncode, out.stderr) == (0, "")


def _init(installed: Installed, tmp: Path) -> None:
    rc, policy = tmp / "rc.conf", tmp / "laggroam.ini"
    rc.write_text(RC_CONF, encoding="utf-8")
    out = installed.run("laggroam", "init", "--from-rc-conf", rc, "-o", policy)
    assert out.returncode == 0, out.stderr
    assert f"sysrc -f {rc} " in out.stdout
    again = installed.run("laggroam", "check", "-c", policy)
    assert (again.returncode, again.stderr) == (0, "")


def _status(installed: Installed, tmp: Path) -> None:
    capture = installed.sitelib / CAPTURE
    out = installed.run("laggroam", "status", "-c", installed.sample, "--from-ifconfig", capture)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("lagg0: laggproto failover")
    assert "warning: lagg0 lacks port wlan0 that the policy lists" in out.stdout


def _plan(installed: Installed, tmp: Path) -> None:
    capture = installed.sitelib / CAPTURE
    argv = ("plan", "-c", installed.sample, "--from-ifconfig", capture, "--json")
    out = installed.run("laggroam", *argv)
    assert out.returncode == 0, out.stderr
    actions = json.loads(out.stdout)["actions"]
    assert [a["command"] for a in actions][:1] == ["ifconfig lagg0 laggport wlan0"]


def _apply(installed: Installed, tmp: Path) -> None:
    """With a reconcile running, ``--coalesce`` asks it for one more round and exits at once."""
    policy, store = _policy_with_state(installed, tmp)
    with store.lock(wait=0) as got:
        assert got
        out = installed.run("laggroam", "apply", "--coalesce", "-c", policy)
        assert (out.returncode, out.stderr) == (0, "")
        assert store.followup_pending()


def _daemon(installed: Installed, tmp: Path) -> None:
    """A second daemon for the same state directory says who holds it and exits 69."""
    policy, store = _policy_with_state(installed, tmp)
    fd = pidfile.acquire(store, None)
    try:
        argv = ("daemon", "-f", "-c", policy, "--socket", tmp / "laggroam.sock")
        out = installed.run("laggroam", *argv, timeout=30)
    finally:
        os.close(fd)
    assert out.returncode == 69
    assert out.stderr.splitlines()[-1] == (
        f"laggroam: another laggroam daemon is running (pid {os.getpid()}, {store.dir / PID_FILE})"
    )
    assert not (tmp / "laggroam.sock").exists()


def _devd_check(installed: Installed, tmp: Path) -> None:
    snippet = installed.staged(LAYOUT.devd_snippet)
    out = installed.run("laggroam", "devd", "check", snippet)
    assert (out.returncode, out.stderr) == (0, "")


def _devd_explain(installed: Installed, tmp: Path) -> None:
    snippet = installed.staged(LAYOUT.devd_snippet)
    argv = ("devd", "explain", "--devd-conf", snippet, "--media", "em0=ethernet", LINK_UP)
    out = installed.run("laggroam", *argv)
    assert out.returncode == 0, out.stderr
    hook = f"{LAYOUT.libexecdir}/link"
    assert f"  {hook} $'{LINK_UP}'" in out.stdout.splitlines()
    assert "laggroam's rule shadows the stock rules" in out.stdout


EXERCISES: dict[str, Callable[[Installed, Path], None]] = {
    "check": _check,
    "init": _init,
    "status": _status,
    "plan": _plan,
    "apply": _apply,
    "daemon": _daemon,
    "devd check": _devd_check,
    "devd explain": _devd_explain,
}


def test_the_page_lists_commands() -> None:
    assert {"check", "status", "plan", "apply", "daemon"} <= set(SOURCE_COMMANDS)


@pytest.mark.parametrize("command", SOURCE_COMMANDS)
def test_every_command_of_the_page_runs_installed(
    command: str, installed: Installed, tmp_path: Path
) -> None:
    page = installed.staged(f"{LAYOUT.mandir}/man8/laggroam.8")
    assert command in synopsis_commands(page.read_text(encoding="utf-8"))
    exercise = EXERCISES.get(command)
    assert exercise is not None, f"laggroam(8) lists {command!r}, which nothing here runs"
    exercise(installed, tmp_path)
