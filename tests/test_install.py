"""``make install`` and the FreeBSD port: the tree, the paths written into it, and that it runs.

What ``make install`` runs (``python -m laggroam.admin.install``) is called in
process into a temporary DESTDIR; the installed command and a hook are then
run as programs, through their own ``#!`` lines, from an install whose
PREFIX is a temporary directory.
"""

import importlib.util
import marshal
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from laggroam import __version__
from laggroam.admin import install
from laggroam.config import layout

ROOT = Path(__file__).resolve().parents[1]
PORT = ROOT / "port"
PREFIX = "/usr/local"
LAYOUT = install.Layout(PREFIX)
SITELIB = LAYOUT.sitelib()
PYTHON = install.default_python()
PLACEHOLDER = re.compile(r"%%[A-Z_]+%%")
BAD_POLICY = "[lagg0]\nports = em0 wlan0\nproto = failover\nether = nope\n"


@pytest.fixture(scope="module")
def destdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``make install DESTDIR=...`` with the default PREFIX."""
    root = tmp_path_factory.mktemp("destdir")
    assert install.main(["--prefix", PREFIX, "--destdir", str(root)]) == 0
    return root


@pytest.fixture(scope="module")
def prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``make install PREFIX=...`` without DESTDIR: the paths inside exist."""
    root = tmp_path_factory.mktemp("prefix")
    assert install.main(["--prefix", str(root)]) == 0
    return root


def _tree(root: Path) -> dict[str, int]:
    """Installed path (as on the host) -> mode, for every file under ``root``."""
    return {
        "/" + str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode)
        for p in root.rglob("*")
        if p.is_file()
    }


def _without_bytecode(tree: dict[str, int]) -> dict[str, int]:
    return {p: m for p, m in tree.items() if "/__pycache__/" not in p}


def test_tree_has_every_file_where_freebsd_expects_it(destdir: Path) -> None:
    tree = _without_bytecode(_tree(destdir))
    expected = {
        f"{PREFIX}/bin/laggroam": 0o555,
        f"{PREFIX}/libexec/laggroam/link": 0o555,
        f"{PREFIX}/libexec/laggroam/ifnet": 0o555,
        f"{PREFIX}/libexec/laggroam/power": 0o555,
        f"{PREFIX}/etc/devd/laggroam.conf": 0o444,
        f"{PREFIX}/etc/rc.d/laggroam": 0o555,
        f"{PREFIX}/etc/laggroam/laggroam.ini.sample": 0o444,
        f"{PREFIX}/share/man/man5/laggroam.ini.5": 0o444,
        f"{PREFIX}/share/man/man8/laggroam.8": 0o444,
    }
    expected |= {f"{SITELIB}/{rel}": 0o444 for _, rel in install.package_files()}
    assert tree == expected


def test_package_is_what_setuptools_would_ship() -> None:
    files = {rel for _, rel in install.package_files()}
    assert {"laggroam/__init__.py", "laggroam/admin/cli.py", "laggroam/devd/hookclient.py"} <= files
    assert "laggroam/py.typed" in files
    # The simulator is a package of its own (sim/): the product does not ship it.
    assert not any(f.startswith(("laggroam/sim/", "laggroam_sim/")) for f in files)
    captures = {f"laggroam/captures/{p.name}" for p in (ROOT / "laggroam/captures").glob("*.txt")}
    assert captures and captures <= files
    assert not any("__pycache__" in f or f.startswith("tests/") for f in files)


def test_package_carries_every_file_it_installs() -> None:
    """What ``install`` reads is package data, so an installed package can install it too."""
    files = {rel for _, rel in install.package_files()}
    read = {str(Path(str(source)).relative_to(ROOT)) for source, _, _ in install.plan_files(LAYOUT)}
    assert {"laggroam/files/hooks/link", "laggroam/files/man/laggroam.8"} <= read
    assert read <= files


def test_shipped_files_are_the_top_level_ones_not_copies() -> None:
    shipped = ROOT / "laggroam" / "files"
    for top in ("hooks", "devd", "conf", "man"):
        assert (shipped / top).is_symlink(), top
        assert (shipped / top).resolve() == ROOT / top
    assert Path(str(install.shipped())) == shipped


def test_every_placeholder_is_filled(destdir: Path) -> None:
    for path in _without_bytecode(_tree(destdir)):
        if path.startswith(SITELIB):
            continue  # the package's own text, copied as it is
        text = (destdir / path.lstrip("/")).read_text(encoding="utf-8")
        assert not PLACEHOLDER.search(text), path


def test_hooks_name_the_installed_interpreter_package_and_command(destdir: Path) -> None:
    for hook in install.HOOKS:
        text = (destdir / f"usr/local/libexec/laggroam/{hook}").read_text()
        # devd's PATH lacks /usr/local/bin: an absolute interpreter, isolated.
        assert text.startswith(f"#!{PYTHON} -IS\n")
        assert f'sys.path.insert(0, "{SITELIB}")' in text
        assert text.endswith(
            f'run(sys.argv, "{hook}", "/var/run/laggroam.sock", ["/usr/local/bin/laggroam"])\n'
        )
        assert "SIM" not in text and "--sim" not in text


def test_devd_snippet_and_rc_script_name_installed_paths(destdir: Path) -> None:
    snippet = (destdir / "usr/local/etc/devd/laggroam.conf").read_text()
    actions = re.findall(r'action "([^"]*)"', snippet)
    assert actions == [f"/usr/local/libexec/laggroam/{h} $*" for h in ("link", "ifnet", "power")]
    rc = (destdir / "usr/local/etc/rc.d/laggroam").read_text()
    assert 'laggroam_program="/usr/local/bin/laggroam"' in rc
    assert "${laggroam_config:=/usr/local/etc/laggroam/laggroam.ini}" in rc
    assert '"/usr/local/libexec/laggroam/power" ' in rc


def test_command_names_the_installed_interpreter_and_package(destdir: Path) -> None:
    lines = (destdir / "usr/local/bin/laggroam").read_text().splitlines()
    assert lines[0] == f"#!{PYTHON}"
    assert f'    sys.path.insert(0, "{SITELIB}")' in lines


def test_package_is_byte_compiled_for_its_installed_path(destdir: Path) -> None:
    tag = sys.implementation.cache_tag
    sources = [destdir / SITELIB.lstrip("/") / rel for _, rel in install.package_files()]
    for source in (s for s in sources if s.suffix == ".py"):
        pyc = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        data = pyc.read_bytes()
        assert data[:4] == importlib.util.MAGIC_NUMBER
        installed = "/" + str(source.relative_to(destdir))
        assert marshal.loads(data[16:]).co_filename == installed


def test_staged_command_runs(destdir: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(destdir / SITELIB.lstrip("/"))}
    command = str(destdir / "usr/local/bin/laggroam")
    out = subprocess.run(
        [PYTHON, command, "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (out.returncode, out.stdout) == (0, f"laggroam {__version__}\n")
    sample = str(destdir / "usr/local/etc/laggroam/laggroam.ini.sample")
    out = subprocess.run(
        [PYTHON, command, "check", "-c", sample],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert (out.returncode, out.stderr) == (0, b"")


def test_installed_command_runs_by_itself(prefix: Path, tmp_path: Path) -> None:
    """Through its own #! line, with no PYTHONPATH: only the installed copy is there."""
    env = {"PATH": "/usr/bin:/bin"}
    command = str(prefix / "bin/laggroam")
    bad = tmp_path / "laggroam.ini"
    bad.write_text(BAD_POLICY)
    out = subprocess.run(
        [command, "check", "-c", str(bad)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 78
    assert out.stderr.startswith(f"{bad}:4: ")
    sitelib = install.Layout(str(prefix)).sitelib()
    capture = next(Path(sitelib, "laggroam/captures").glob("*dropped*.txt"))
    out = subprocess.run(
        [command, "status", "--from-ifconfig", str(capture)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0
    assert out.stdout.startswith("lagg0: laggproto failover")


def test_installed_hook_starts_from_the_installed_package(prefix: Path) -> None:
    """A refused event costs the hook nothing but its start: it imports, checks, says why."""
    hook = prefix / "libexec/laggroam/link"
    assert f'sys.path.insert(0, "{install.Layout(str(prefix)).sitelib()}")' in hook.read_text()
    out = subprocess.run(
        [str(hook), "!system=ACPI subsystem=Resume type=Resume"],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0
    assert out.stderr == b"laggroam-hook: refused link event: system is not IFNET\n"


def test_reinstall_replaces_the_package(tmp_path: Path) -> None:
    assert install.main(["--prefix", PREFIX, "--destdir", str(tmp_path)]) == 0
    stale = tmp_path / SITELIB.lstrip("/") / "laggroam" / "gone.py"
    stale.write_text("")
    assert install.main(["--prefix", PREFIX, "--destdir", str(tmp_path)]) == 0
    assert not stale.exists()
    assert (stale.parent / "admin" / "cli.py").is_file()


def test_no_package_installs_only_the_other_files(tmp_path: Path) -> None:
    args = ["--no-package", "--prefix", PREFIX, "--destdir", str(tmp_path)]
    args += ["--python", "/usr/local/bin/python3.11"]
    args += ["--sitelib", "/usr/local/lib/python3.11/site-packages"]
    assert install.main(args) == 0
    tree = _tree(tmp_path)
    assert not any(p.startswith(("/usr/local/bin/", "/usr/local/lib/")) for p in tree)
    hook = (tmp_path / "usr/local/libexec/laggroam/ifnet").read_text()
    assert hook.startswith("#!/usr/local/bin/python3.11 -IS\n")
    assert 'sys.path.insert(0, "/usr/local/lib/python3.11/site-packages")' in hook


def test_verbose_lists_what_it_installed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert install.main(["-v", "--no-package", "--destdir", str(tmp_path)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert sorted(listed) == sorted(_tree(tmp_path))


@pytest.mark.parametrize("option", ["--prefix", "--python", "--sitelib"])
def test_relative_path_is_a_usage_error(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert install.main([option, "usr/local", "--destdir", str(tmp_path)]) == 64
    err = capsys.readouterr().err
    assert err == f"laggroam.admin.install: {option} must be an absolute path: 'usr/local'\n"
    assert not any(tmp_path.iterdir())


def test_unwritable_destdir_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert install.main(["--no-package", "--destdir", str(blocker)]) == 73
    err = capsys.readouterr().err
    assert err.startswith(f"laggroam.admin.install: {blocker}/usr/local/") and err.count("\n") == 1


def test_sitelib_that_is_the_source_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert install.main(["--sitelib", str(ROOT), "--destdir", "/"]) == 66
    assert "that is the source being installed" in capsys.readouterr().err
    assert (ROOT / "laggroam" / "admin" / "cli.py").is_file()


def test_a_placeholder_without_value_is_an_error() -> None:
    with pytest.raises(install.InstallError, match=r"^hooks/x: no value for %%NOPE%%$"):
        install.fill("#!%%PYTHON%%\n%%NOPE%%\n", {"PYTHON": "/p"}, "hooks/x")


def test_default_python_is_not_a_virtualenv() -> None:
    assert PYTHON.startswith(sys.base_prefix)
    assert os.access(PYTHON, os.X_OK)


# --- the FreeBSD port ---------------------------------------------------------


def _port_vars() -> dict[str, str]:
    """The port Makefile's assignments, continuation lines joined."""
    text = (PORT / "Makefile").read_text().replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Z_]+)=\s*(.*)$", line)
        if m:
            found[m.group(1)] = " ".join(m.group(2).split())
    return found


def _plist() -> set[str]:
    """What pkg-plist puts on the host, as ``make install`` would stage it.

    ``@sample X.sample`` installs X.sample (and copies it to X when X is
    absent); %%ETCDIR%% is etc/PORTNAME; the ports framework gzips man pages
    at stage time (freebsd-ports Mk/bsd.port.mk compress-man) and USE_RC_SUBR
    adds etc/rc.d/NAME to the packing list itself (Mk/bsd.port.mk, USE_RC_SUBR).
    """
    entries = set()
    for raw in (PORT / "pkg-plist").read_text().splitlines():
        line = raw.removeprefix("@sample ").replace("%%ETCDIR%%", "etc/laggroam")
        assert not line.startswith("@"), raw
        entries.add(f"{PREFIX}/" + re.sub(r"(/man\d/[^/]+)\.gz$", r"\1", line))
    return entries | {f"{PREFIX}/etc/rc.d/{_port_vars()['USE_RC_SUBR']}"}


def test_plist_matches_what_make_install_puts_in_destdir(destdir: Path) -> None:
    """Everything but the Python package and its command, which autoplist lists."""
    staged = {
        p
        for p in _tree(destdir)
        if not p.startswith((f"{PREFIX}/lib/python", f"{PREFIX}/bin/laggroam"))
    }
    assert _plist() == staged


def test_port_makefile_has_what_the_handbook_asks() -> None:
    v = _port_vars()
    assert v["PORTNAME"] == "laggroam"
    assert v["DISTVERSION"] == __version__
    assert v["USES"].startswith("python:3.11")
    assert v["NO_ARCH"] == "yes"
    assert v["USE_RC_SUBR"] == "laggroam"
    assert "pep517" in v["USE_PYTHON"].split()
    assert "noflavors" in v["USE_PYTHON"].split()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (backend,) = pyproject["build-system"]["requires"]  # setuptools>=N
    assert f"${{PYTHON_PKGNAMEPREFIX}}{backend}:devel/py-setuptools@" in v["BUILD_DEPENDS"]
    run = v["RUN_DEPENDS"]
    assert "${PYTHON_PKGNAMEPREFIX}watchdog>=7.0:devel/py-watchdog@${PY_FLAVOR}" in run
    assert ":devel/py-sdnotify@${PY_FLAVOR}" in run
    post = (PORT / "Makefile").read_text().split("post-install:")[1]
    for word in ("-m laggroam.admin.install", "--no-package", "--destdir ${STAGEDIR}"):
        assert word in post
    assert "--python ${PYTHON_CMD}" in post and "--sitelib ${PYTHON_SITELIBDIR}" in post


def test_port_rc_script_is_the_one_make_install_installs() -> None:
    assert (PORT / "files/laggroam.in").read_bytes() == (ROOT / "conf/rc.d/laggroam").read_bytes()


def test_pkg_message_walks_the_user_through_setup() -> None:
    text = (PORT / "pkg-message").read_text()
    body = text.split("<<EOM\n")[1].split("\nEOM\n")[0]
    assert text.startswith("[\n{ type: install\n")
    for step in (
        "laggroam.ini.sample",
        "laggroam check",
        "service devd restart",
        "sysrc laggroam_enable=YES",
    ):
        assert step in body, step
    assert (PORT / "pkg-descr").read_text().strip()


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        install.main(["--bogus"])
    assert exit_.value.code == 64
    assert capsys.readouterr().err.endswith(
        "laggroam.admin.install: unrecognized arguments: --bogus\n"
    )


def test_root_prefix_writes_single_slashes(tmp_path: Path) -> None:
    assert install.main(["--no-package", "--prefix", "/", "--destdir", str(tmp_path)]) == 0
    snippet = (tmp_path / "etc/devd/laggroam.conf").read_text()
    assert 'action "/libexec/laggroam/link $*";' in snippet
    assert "//" not in (tmp_path / "etc/rc.d/laggroam").read_text().replace("://", "")


def test_a_staged_tree_agrees_with_its_own_socket(destdir: Path) -> None:
    """Hooks staged under DESTDIR name the socket as the host will see it: no false alarm."""
    policy = str(destdir / "usr/local/etc/laggroam/laggroam.ini")
    assert layout.socket_disagreement(policy, "/var/run/laggroam.sock") is None
    problem = layout.socket_disagreement(policy, "/var/run/other.sock")
    assert problem is not None
    assert "/var/run/laggroam.sock" in problem
    assert "/var/run/other.sock" in problem


def test_a_package_without_its_man_pages_installs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A package built without its data is refused, not installed short of its pages."""
    shipped = tmp_path / "files"
    shipped.mkdir()
    for top in ("hooks", "devd", "conf"):
        (shipped / top).symlink_to(ROOT / top)
    (shipped / "man").mkdir()
    monkeypatch.setattr(install, "shipped", lambda: shipped)
    destdir = tmp_path / "destdir"
    assert install.main(["--no-package", "--destdir", str(destdir)]) == 66
    assert (
        capsys.readouterr().err
        == f"laggroam.admin.install: {shipped / 'man'}: no man page to install\n"
    )
    assert not destdir.exists()
