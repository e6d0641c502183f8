"""Who may write the policy and what it names: root obeys neither a file nor a path others
could rewrite (as sshd's StrictModes), and reading never blocks or raises a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from laggroam.config.policy import PolicyErrors, load

REPO = Path(__file__).resolve().parents[1]
NOBODY = 65534
POLICY = "[lagg0]\nports = em0 wlan0\n\n[wlan0]\nparent = iwn0\nwpa_conf = {wpa}\n"


def write(directory: Path, wpa: str = "/etc/wpa_supplicant.conf") -> Path:
    directory.mkdir(mode=0o755, parents=True, exist_ok=True)
    directory.chmod(0o755)
    path = directory / "laggroam.ini"
    path.write_text(POLICY.format(wpa=wpa))
    path.chmod(0o644)
    return path


def problems(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(PolicyErrors) as info:
        load(path)
    return [(e.line, e.message) for e in info.value.errors]


def test_a_root_owned_policy_in_root_owned_directories_is_obeyed(tmp_path: Path) -> None:
    load(write(tmp_path / "etc"))


def test_a_world_writable_policy_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "etc")
    path.chmod(0o666)
    [(line, message)] = problems(path)
    assert line == 1
    assert f"{path} is writable by everyone (mode 0666); refused" in message


def test_a_group_writable_policy_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "etc")
    path.chmod(0o664)
    assert "is writable by its group (mode 0664)" in problems(path)[0][1]


def test_a_policy_another_user_owns_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "etc")
    os.chown(path, NOBODY, -1)
    assert f"{path} belongs to uid {NOBODY}, not root" in problems(path)[0][1]


def test_a_writable_directory_above_the_policy_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "etc" / "laggroam")
    (tmp_path / "etc").chmod(0o777)
    assert (
        f"directory {tmp_path / 'etc'} is writable by everyone (mode 0777)"
        in (problems(path)[0][1])
    )


def test_a_sticky_world_writable_directory_is_accepted(tmp_path: Path) -> None:
    # /tmp's case: others may create entries there, but not rename or remove root's.
    (tmp_path / "tmp").mkdir()
    (tmp_path / "tmp").chmod(0o1777)
    load(write(tmp_path / "tmp" / "etc"))


def test_a_world_writable_wpa_conf_is_refused(tmp_path: Path) -> None:
    wpa = tmp_path / "wpa_supplicant.conf"
    wpa.write_text("network={\n}\n")
    wpa.chmod(0o666)
    path = write(tmp_path / "etc", wpa=str(wpa))
    [(line, message)] = problems(path)
    assert line == 4  # the [wlan0] section
    assert message.startswith(f"[wlan0] wpa_conf: {wpa} is writable by everyone")
    assert message.endswith("root will not use it")


def test_a_wpa_conf_in_a_directory_others_write_is_refused(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    spool.chmod(0o777)
    path = write(tmp_path / "etc", wpa=str(spool / "wpa.conf"))  # not there yet: could be planted
    assert f"directory {spool} is writable by everyone" in problems(path)[0][1]


def test_a_state_dir_under_a_writable_directory_is_refused(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    spool.chmod(0o775)
    path = write(tmp_path / "etc")
    path.write_text(f"[daemon]\nstate_dir = {spool}/laggroam\n" + path.read_text())
    assert problems(path)[0][1].startswith(f"[daemon] state_dir: directory {spool} is")


def check(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "laggroam", "-c", path, "check"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )


def test_check_names_the_world_writable_policy(tmp_path: Path) -> None:
    path = write(tmp_path / "etc")
    path.chmod(0o666)
    done = check(str(path))
    assert done.returncode == 78
    assert done.stderr.startswith(f"{path}:1: {path} is writable by everyone (mode 0666)")


def test_a_file_that_would_block_is_refused_without_a_traceback() -> None:
    # /proc/kmsg is a regular file whose non-blocking read fails with EAGAIN.
    done = check("/proc/kmsg")
    assert (done.returncode, done.stderr) == (
        78,
        "/proc/kmsg:1: reading it would block: not a policy file\n",
    )


def install_hooks(root: Path, socket: str) -> Path:
    """laggroam installed under ROOT/usr/local as the simulator does; the policy's path."""
    from laggroam.admin import install

    layout = install.Layout(f"{root}/usr/local")
    install.install(Path("/"), layout, install.substitutions(layout, socket=socket))
    return write(root / "usr/local/etc/laggroam")


def test_check_refuses_a_socket_the_installed_hooks_do_not_use(tmp_path: Path) -> None:
    root = tmp_path / "root"
    path = install_hooks(root, str(root / "var/run/laggroam.sock"))
    load(path)  # the default socket is the one the hooks use
    path.write_text("[daemon]\nsocket = /var/run/other.sock\n" + path.read_text())
    [(line, message)] = problems(path)
    hook = root / "usr/local/libexec/laggroam/link"
    assert line == 1
    assert message == (
        f"[daemon] socket: the installed hook {hook} sends events to /var/run/laggroam.sock,"
        " not /var/run/other.sock: every event would bypass the daemon; set socket ="
        " /var/run/laggroam.sock, or reinstall laggroam with --socket /var/run/other.sock"
    )
    done = check(str(path))
    assert done.returncode == 78 and "every event would bypass the daemon" in done.stderr


def test_hooks_installed_with_the_policys_socket_agree(tmp_path: Path) -> None:
    root = tmp_path / "root"
    path = install_hooks(root, str(root / "run/lgr.sock"))
    path.write_text("[daemon]\nsocket = /run/lgr.sock\n" + path.read_text())
    load(path)
