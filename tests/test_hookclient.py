"""The hooks' fast path: refusals, hand-over to a listener, fallback to a one-shot."""

import ast
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import REPO

from laggroam.devd import hookclient

LINK = "!system=IFNET subsystem=em0 type=LINK_UP"


@pytest.mark.parametrize(
    ("cls", "line", "fragment"),
    [
        ("link", "", "empty event"),
        ("link", "!system=IFNET subsystem=em0;reboot type=LINK_UP", "invalid interface name"),
        ("link", "!system=IFNET subsystem=$(id) type=LINK_UP", "invalid interface name"),
        ("link", "!system=IFNET subsystem=" + "a" * 40 + " type=LINK_UP", "invalid interface"),
        ("link", "!system=IFNET subsystem=em0 type=ATTACH", "type is not one of"),
        ("link", "!system=ACPI subsystem=Resume", "system is not IFNET"),
        ("link", "+em0 at on pci0", "not a ! event"),
        ("link", "!system=IFNET subsystem=ém0 type=LINK_UP", "non-ASCII"),
        ("link", "!system=IFNET subsystem=em0 type=LINK_UP\nrm", "control characters"),
        ("link", "!" + "x" * 2000, "longer than"),
        ("ifnet", LINK, "type is not one of"),
        ("power", "!system=ACPI subsystem=Suspend type=Suspend", "not an ACPI resume"),
        # devd sets no variable when a space follows the "!" (devd.cc chop_var)
        ("power", "! system=ACPI subsystem=Resume", "system is not ACPI"),
        ("link", "!  system=IFNET subsystem=em0 type=LINK_UP", "system is not IFNET"),
    ],
)
def test_refused(cls: str, line: str, fragment: str) -> None:
    problem = hookclient.check(cls, line)
    assert problem is not None
    assert fragment in problem


def test_accepted() -> None:
    assert hookclient.check("link", LINK) is None
    assert hookclient.check("ifnet", "!system=IFNET subsystem=wlan0 type=ATTACH") is None
    resume = "!system=ACPI subsystem=Resume type=Resume notify=0x03"
    assert hookclient.check("power", resume) is None


def test_the_kernels_resume_event_is_accepted() -> None:
    """The kernel names the ACPI root object, ``\\``, as the type (sys/dev/acpica/acpi.c)."""
    resume = "!system=ACPI subsystem=Resume type=\\ notify=0x03"
    assert hookclient.check("power", resume) is None
    assert hookclient.classify(resume) == ("power", None)


def test_the_hook_imports_nothing_a_bare_interpreter_lacks_but_the_name_rule() -> None:
    # A hook runs as ``python3 -I -S``; every module it imports is start time devd waits for.
    code = (
        "import sys; before = set(sys.modules); sys.path.insert(0, sys.argv[1]);"
        " import laggroam.devd.hookclient;"
        " print(' '.join(sorted(set(sys.modules) - before)))"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, str(REPO)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert done.stdout.split() == [
        "_socket",
        "laggroam",
        "laggroam.core",
        "laggroam.core.ifname",
        "laggroam.devd",
        "laggroam.devd.hookclient",
    ]


def test_send_reaches_a_listener(tmp_path: Path) -> None:
    path = str(tmp_path / "s")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)
    assert hookclient.send(path, b"laggroam/1 DEVD " + LINK.encode() + b"\n")
    server.settimeout(5)
    conn, _ = server.accept()
    conn.settimeout(5)
    assert conn.recv(200) == b"laggroam/1 DEVD " + LINK.encode() + b"\n"
    conn.close()
    server.close()


def test_send_without_listener_is_false(tmp_path: Path) -> None:
    assert hookclient.send(str(tmp_path / "none"), b"x\n") is False


def _hook_script(tmp_path: Path, cls: str, laggroam: str) -> Path:
    text = (REPO / "hooks" / cls).read_text()
    text = text.replace("%%PYTHON%%", sys.executable).replace("%%PYTHON_SITELIB%%", str(REPO))
    text = text.replace("%%SOCKET%%", str(tmp_path / "sock"))
    text = text.replace("%%LAGGROAM%%", laggroam)
    script = tmp_path / cls
    script.write_text(text)
    script.chmod(0o755)
    return script


def test_hook_falls_back_to_a_detached_one_shot(tmp_path: Path) -> None:
    marker = tmp_path / "argv"
    fake = tmp_path / "fake-laggroam"
    fake.write_text(
        f"#!{sys.executable}\nimport sys\nopen({str(marker)!r}, 'w').write(repr(sys.argv[1:]))\n"
    )
    fake.chmod(0o755)
    hook = _hook_script(tmp_path, "link", str(fake))
    proc = subprocess.run([str(hook), LINK], capture_output=True, timeout=30, check=False)
    assert proc.returncode == 0
    deadline = time.monotonic() + 60  # a detached start on a loaded machine
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ast.literal_eval(marker.read_text()) == ["apply", "--coalesce", "--devd", LINK]


def test_hostile_name_runs_nothing_and_logs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    fake = tmp_path / "fake-laggroam"
    fake.write_text(f"#!/bin/sh\ntouch {marker}\n")
    fake.chmod(0o755)
    hook = _hook_script(tmp_path, "link", str(fake))
    for name in ["em0;reboot", "$(id)", "a" * 40]:
        line = f"!system=IFNET subsystem={name} type=LINK_UP"
        proc = subprocess.run([str(hook), line], capture_output=True, timeout=30, check=False)
        assert proc.returncode == 0
        assert b"refused link event: invalid interface name" in proc.stderr
    # the hook exits before anything could be spawned; nothing ran
    assert not marker.exists()
    assert not os.path.exists(tmp_path / "sock")
