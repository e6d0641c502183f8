"""No one let in: the socket admits only root (or the configured group), checked with real
second uids; no shell but the chained devd action; files are 0600/0700, atomic, and never
written through a planted link; children get a minimal environment.
"""

import ast
import contextlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from daemonhelp import POLICY, Daemon, new_laptop, sim, wait_for
from relhelp import REPO, Host

from laggroam.daemon.listener import Listener, ListenerError
from laggroam.devd import chain, hookclient
from laggroam.devd.devdline import parse_event
from laggroam.edge import runner
from laggroam.edge.store import Store
from laggroam.exitcodes import EX_CONFIG

NOBODY = 65534  # nobody:nogroup
STRANGER = 65533  # no passwd entry, no group
PACKAGE = REPO / "laggroam"
# An interpreter another uid may run (the venv's may live under /root).
OTHER_PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
# Connect, send one line, report how the daemon answered: "closed" when it hung up.
CLIENT = (
    "import socket, sys\n"
    "s = socket.socket(socket.AF_UNIX)\n"
    "try:\n"
    "    s.connect(sys.argv[1])\n"
    "except OSError as e:\n"
    "    print('connect', e.errno); sys.exit(0)\n"
    "try:\n"
    "    s.sendall(sys.argv[2].encode() + b'\\n')\n"
    "    s.recv(1)\n"
    "except OSError:\n"
    "    pass\n"
    "print('connected')\n"
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sec-laptop") / "sim"
    sim(path, "init", "laptop")
    return path


@pytest.fixture
def base(template: Path) -> object:
    path = new_laptop(template)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def as_user(uid: int, socket_path: Path, line: str) -> str:
    """Run the client as ``uid`` (a real process, dropped from root by subprocess)."""
    done = subprocess.run(
        [OTHER_PYTHON, "-I", "-S", "-c", CLIENT, str(socket_path), line],
        user=uid,
        group=uid,
        extra_groups=[],
        cwd="/",
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def modes(directory: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.lstat().st_mode) for p in directory.iterdir()}


# Run as another uid: what ``laggroam status`` reads of the daemon and its history.
READER = (
    "import json, sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "from laggroam.daemon.daemonstatus import read_status\n"
    "from laggroam.edge.store import Store\n"
    "store = Store(sys.argv[2])\n"
    "status = read_status(store) or {}\n"
    "print(json.dumps({'running': status.get('running'), 'pid': status.get('pid'),\n"
    "                  'journal': len(store.read_journal())}))\n"
)


def read_as(uid: int, groups: list[int], state_dir: Path) -> dict[str, object]:
    done = subprocess.run(
        [OTHER_PYTHON, "-I", "-S", "-c", READER, str(REPO), str(state_dir)],
        user=uid,
        group=uid,
        extra_groups=groups,
        cwd="/",
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_group_reads_the_status_and_cannot_send(base: Path) -> None:
    """``group`` shares the status read-only; the socket stays root's alone."""
    text = POLICY.replace("[daemon]\n", "[daemon]\ngroup = nogroup\n")
    d = Daemon(base, policy_text=text).start()
    try:
        d.wait_ready()
        d.wait_journal("the first record", lambda r: len(r) >= 1)
        st = d.socket.lstat()
        assert stat.S_IMODE(st.st_mode) == 0o600
        # A member of the group cannot send (once the file lets it, the peer check refuses).
        assert (
            as_user(NOBODY, d.socket, "laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN")
            == "connect 13"
        )
        d.socket.chmod(0o666)
        assert (
            as_user(NOBODY, d.socket, "laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN")
            == "connected"
        )
        wait_for("the refusal", lambda: f"connection from uid {NOBODY} refused" in d.log())
        d.socket.chmod(0o600)
        # ... and it sees the daemon run, with its history.
        seen = read_as(NOBODY, [NOBODY], d.state_dir)
        assert seen == {"running": True, "pid": d.pid, "journal": 1}, seen
        # Outside the group, the state is unreadable, and status says so instead of "not running".
        assert read_as(STRANGER, [], d.state_dir)["running"] is None
        # What it wrote: a 0750 directory of the group's 0640 files, none writable by the group.
        dst = d.state_dir.stat()
        assert (stat.S_IMODE(dst.st_mode), dst.st_gid) == (0o750, NOBODY)
        files = {p.name: p.lstat() for p in d.state_dir.iterdir()}
        assert {"daemon.pid", "daemon.json", "journal.jsonl", "state.json"} <= set(files)
        assert {(stat.S_IMODE(f.st_mode), f.st_gid) for f in files.values()} == {(0o640, NOBODY)}
    finally:
        d.stop()


def test_without_a_group_the_state_is_private_again(base: Path) -> None:
    text = POLICY.replace("[daemon]\n", "[daemon]\ngroup = nogroup\n")
    d = Daemon(base, policy_text=text).start()
    try:
        d.wait_ready()
    finally:
        d.stop()
    d = Daemon(base, policy_text=POLICY)
    d.policy_path.write_text(POLICY)
    d.start()
    try:
        d.wait_ready()
        assert stat.S_IMODE(d.state_dir.stat().st_mode) == 0o700
        files = modes(d.state_dir)
        assert set(files.values()) == {0o600}, files
        assert read_as(NOBODY, [NOBODY], d.state_dir)["running"] is None
    finally:
        d.stop()


def test_socket_without_a_group_admits_root_only(base: Path) -> None:
    d = Daemon(base).start()
    try:
        d.wait_ready()
        assert stat.S_IMODE(d.socket.lstat().st_mode) == 0o600
        assert (
            as_user(NOBODY, d.socket, "laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN")
            == "connect 13"
        )
        d.socket.chmod(0o666)
        assert (
            as_user(NOBODY, d.socket, "laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN")
            == "connected"
        )
        wait_for("the refusal", lambda: f"connection from uid {NOBODY} refused" in d.log())
    finally:
        d.stop()


def test_one_shot_refuses_a_state_dir_others_can_write(host: Host) -> None:
    host.store.dir.chmod(0o777)
    host.sim("unplug", "em0")
    outcome = host.locked()
    assert outcome is not None and not outcome.observed and host.writes.count == 0
    assert "state directory is writable by others (mode 0777); not used" in (outcome.error or "")


def test_daemon_refuses_a_state_dir_others_can_write(base: Path) -> None:
    d = Daemon(base)
    d.state_dir.mkdir(parents=True, exist_ok=True)
    d.state_dir.chmod(0o777)
    d.start()
    try:
        # The policy names it for root to use: refused with the policy, as check would.
        assert d.exit_code() == EX_CONFIG
        assert f"[daemon] state_dir: {d.state_dir} is writable by everyone (mode 0777)" in d.log()
        assert "Traceback" not in d.log()
    finally:
        d.stop()


# -- no shell, no stray process starts -------------------------------------------


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            found.append((name, node))
    return found


def _sources() -> list[Path]:
    return sorted([*PACKAGE.rglob("*.py"), *(REPO / "sim" / "laggroam_sim").rglob("*.py")])


def test_scan_no_shell_true_os_system_or_popen() -> None:
    offenders = []
    for path in _sources():
        tree = ast.parse(path.read_text(), str(path))
        for name, call in _calls(tree):
            if name in ("os.system", "os.popen") or name.startswith(("os.exec", "os.spawn")):
                offenders.append(f"{path}:{call.lineno}: {name}")
            for kw in call.keywords:
                if kw.arg == "shell" and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False
                ):
                    offenders.append(f"{path}:{call.lineno}: shell={ast.unparse(kw.value)}")
    assert offenders == []


# Who may start processes, and why.  The simulator (sim/laggroam_sim) and the demo
# drive the simulator's own stand-ins and never act on a real host; its localrc.py
# is the simulated "service laggroam", which starts the daemon on the simulated host.
SIM = "sim/laggroam_sim/"
SUBPROCESS_ALLOWED = {
    "laggroam/edge/runner.py",
    SIM + "story.py",
    SIM + "settled.py",
    SIM + "devdactions.py",
    SIM + "localrc.py",
    SIM + "rcresume.py",
}
SPAWN_ALLOWED = {"laggroam/devd/hookclient.py"}  # the detached one-shot, env {PATH, HOME}


def test_scan_subprocess_only_in_the_runner() -> None:
    users = set()
    spawners = set()
    for path in _sources():
        rel = str(path.relative_to(REPO))
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                module = node.module if isinstance(node, ast.ImportFrom) else None
                if "subprocess" in names or module == "subprocess":
                    users.add(rel)
        for name, _call in _calls(tree):
            if name.endswith("posix_spawn") or name.endswith("posix_spawnp") or name == "os.fork":
                spawners.add(rel)
    assert "laggroam/edge/runner.py" in users
    assert users <= SUBPROCESS_ALLOWED, users - SUBPROCESS_ALLOWED
    assert spawners <= SPAWN_ALLOWED, spawners


def test_scan_the_only_shell_is_the_chained_devd_action() -> None:
    """An argv ``[<a shell>, "-c", ...]`` is built in exactly one product module: chain.py."""
    holders = set()
    for path in _sources():
        rel = str(path.relative_to(REPO))
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.List | ast.Tuple)
                and len(node.elts) >= 2
                and isinstance(node.elts[1], ast.Constant)
                and node.elts[1].value == "-c"
                and re.search(r"(^|[^a-z])(sh|bash|shell)([^a-z]|$)", ast.unparse(node.elts[0]))
            ):
                holders.add(rel)
    # The simulated devd plays devd itself, which runs actions with sh -c.
    assert holders - {SIM + "devdactions.py"} == {"laggroam/devd/chain.py"}


# -- files: modes, atomic, planted links -------------------------------------------

NAMES = ["state.json", "journal.jsonl", "reconcile.lock", "pending", "daemon.json"]


def test_files_are_0600_in_a_0700_dir_whatever_the_umask(host: Host) -> None:
    old = os.umask(0)
    try:
        shutil.rmtree(host.store.dir)
        host.store.request_followup()
        assert host.locked() is not None
        host.store.request_followup()
        host.store.write_atomic("daemon.json", "{}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(host.store.dir.stat().st_mode) == 0o700
    files = modes(host.store.dir)
    assert {"state.json", "journal.jsonl", "reconcile.lock", "pending", "daemon.json"} == set(files)
    assert set(files.values()) == {0o600}


@pytest.mark.parametrize("name", NAMES)
def test_a_planted_symlink_is_never_written_through(host: Host, tmp_path: Path, name: str) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    planted = host.store.dir / name
    planted.unlink(missing_ok=True)
    planted.symlink_to(victim)
    host.sim("unplug", "em0")
    host.store.request_followup()
    outcome = host.locked()
    host.store.write_atomic("daemon.json", "{}\n")
    assert outcome is not None
    if name == "reconcile.lock":
        # Refused with one line (the lock cannot be had through a link); not followed.
        assert not outcome.observed and host.writes.count == 0
        assert "reconcile refused" in (outcome.error or "")
        assert "Too many levels of symbolic links" in (outcome.error or "")
    else:
        assert outcome.observed and outcome.converged
    assert victim.read_text() == "precious\n"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644


def test_a_planted_temporary_name_is_not_written_through(host: Host, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    for n in NAMES:
        (host.store.dir / f".{n}.{os.getpid()}.tmp").symlink_to(victim)
    host.sim("unplug", "em0")
    host.converge()
    host.store.request_followup()
    assert victim.read_text() == "precious\n"


def test_state_dir_that_is_a_link_or_foreign_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(PermissionError, match="symbolic link"):
        Store(link).save_memory(Store(real).load_memory())
    foreign = tmp_path / "foreign"
    foreign.mkdir(mode=0o700)
    os.chown(foreign, NOBODY, NOBODY)
    with pytest.raises(PermissionError, match=f"belongs to uid {NOBODY}"):
        Store(foreign).request_followup()
    assert list(real.iterdir()) == [] and list(foreign.iterdir()) == []


def test_socket_path_with_a_planted_link_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    sock = tmp_path / "laggroam.sock"
    sock.symlink_to(victim)
    with pytest.raises(ListenerError, match="is not a socket; not touched"):
        Listener(sock, lambda _m: None)
    assert victim.read_text() == "precious\n" and sock.is_symlink()


# -- minimal environments -----------------------------------------------------------

POISON = {"LD_PRELOAD": "/tmp/evil.so", "IFS": "x", "BASH_ENV": "/tmp/evil", "EVIL": "1"}
MINIMAL = {"PATH", "HOME", "LC_ALL"}


def test_runner_children_get_a_minimal_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in POISON.items():
        monkeypatch.setenv(k, v)
    result = runner.run(["/usr/bin/env"])
    assert result.ok
    keys = {line.split("=", 1)[0] for line in result.stdout.splitlines()}
    assert keys <= MINIMAL and {"PATH", "HOME"} <= keys, keys


def test_chained_devd_action_gets_devds_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in POISON.items():
        monkeypatch.setenv(k, v)
    out = tmp_path / "env.out"
    conf = tmp_path / "etc" / "devd.conf"
    conf.parent.mkdir()
    conf.write_text(
        'notify 0 {\n\tmatch "system" "IFNET";\n\tmatch "type" "LINK_UP";\n'
        f'\taction "/usr/bin/env > {out}";\n}};\n'
    )
    event = parse_event("!system=IFNET subsystem=em0 type=LINK_UP")
    done = chain.chain(event, lambda _n: None, root=tmp_path, sh="/bin/sh")
    assert done.rule is not None and [r.ok for r in done.results] == [True]
    env = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert env["PATH"] == chain.DEVD_PATH and env["HOME"] == "/"
    assert not set(env) & set(POISON), env
    # what /bin/sh itself adds (PWD, SHLVL, _) and nothing else
    assert set(env) <= {"PATH", "HOME", "PWD", "SHLVL", "_", "OLDPWD"}, env


def test_hook_fallback_gets_a_minimal_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in POISON.items():
        monkeypatch.setenv(k, v)
    out = tmp_path / "spawned.json"
    fake = tmp_path / "laggroam"
    fake.write_text(
        f"#!{sys.executable} -I\nimport json, os, sys\n"
        f"open({str(out)!r}, 'w').write(json.dumps([dict(os.environ), sys.argv[1:]]))\n"
    )
    fake.chmod(0o755)
    line = "!system=IFNET subsystem=em0 type=LINK_DOWN"
    assert hookclient.main(["link", line], "link", str(tmp_path / "no.sock"), [str(fake)]) == 0
    raw = wait_for("the one-shot", lambda: out.exists() and out.read_text())
    env, argv = json.loads(raw)
    assert set(env) <= {"PATH", "HOME", "LC_CTYPE"}, env
    assert env["PATH"] == hookclient.SAFE_PATH
    assert argv == ["apply", "--coalesce", "--devd", line]


@pytest.mark.parametrize(
    "line",
    [
        "!system=IFNET subsystem=em0;reboot type=LINK_DOWN",
        "!system=IFNET subsystem=$(reboot) type=LINK_DOWN",
        "!system=IFNET subsystem=`id` type=LINK_DOWN",
        "!system=IFNET subsystem=em0\nreboot type=LINK_DOWN",
        "!system=IFNET subsystem=../../etc type=LINK_DOWN",
        "!system=IFNET subsystem=em0123456789abcdef type=LINK_DOWN",
        "!system=IFNET subsystem=\u00e9m0 type=LINK_DOWN",
        "!system=IFNET subsystem= type=LINK_DOWN",
        "!system=IFNET subsystem=em0 type=LINK_DOWN" + " x" * 600,
        "",
    ],
)
def test_hook_refuses_hostile_events_and_runs_nothing(
    tmp_path: Path, line: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "laggroam"
    marker = tmp_path / "ran"
    fake.write_text(f"#!/bin/sh\ntouch {marker}\n")
    fake.chmod(0o755)
    sock = tmp_path / "no.sock"
    assert hookclient.main(["link", line], "link", str(sock), [str(fake)]) == 0
    err = capfd.readouterr().err
    assert err.startswith("laggroam-hook: refused link event: ") and err.count("\n") == 1
    assert not marker.exists()


# -- socket floods ------------------------------------------------------------------


def test_listener_flood_of_good_bad_partial_and_oversized(tmp_path: Path) -> None:
    """300 clients at once, a third of them hostile: every good line is taken, every bad
    one refused and counted, none blocks the others, and nothing raises."""
    import selectors
    import socket
    import threading

    from laggroam.devd.protocol import MAX_MESSAGE

    got: list[object] = []
    sel = selectors.DefaultSelector()

    def unregister(sock: socket.socket) -> None:
        with contextlib.suppress(KeyError, ValueError):
            sel.unregister(sock)

    listener = Listener(tmp_path / "s.sock", got.append, on_drop=unregister)
    down = b"laggroam/1 DEVD !system=IFNET type=LINK_DOWN subsystem="
    good = down + b"em0\n"
    bad = [
        b"\x00\xff\n",
        down + b"em0;reboot\n",
        b"laggroam/1 DEVD " + b"A" * (2 * MAX_MESSAGE) + b"\n",
        down,  # closed without its newline
        down + b"\xc3\xa9m0\n",
    ]
    payloads = [good if i % 3 else bad[i % len(bad)] for i in range(300)]
    barrier = threading.Barrier(len(payloads))

    def client(data: bytes) -> None:
        with socket.socket(socket.AF_UNIX) as s:
            barrier.wait(timeout=60)
            s.connect(str(listener.path))
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                s.sendall(data)

    threads = [threading.Thread(target=client, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    sel.register(listener.sock, selectors.EVENT_READ, None)
    want_bad = sum(p is not good for p in payloads)
    want_good = len(payloads) - want_bad
    deadline = time.monotonic() + 60
    while len(got) < want_good or listener.counters.refused < want_bad:
        assert time.monotonic() < deadline, (len(got), listener.counters)
        for key, _ in sel.select(0.1):
            if key.data is None:
                for conn in listener.accept():
                    sel.register(conn, selectors.EVENT_READ, "client")
            else:
                listener.readable(key.fd)
        listener.expire(time.monotonic())
    for t in threads:
        t.join(timeout=10)
    listener.close()
    assert len(got) == want_good
    assert listener.counters.refused == want_bad
    assert listener.counters.accepted == len(got)


def test_hooks_run_python_isolated() -> None:
    """-I: no PYTHON* variable, no user site, no current directory on the path; -S: no site."""
    hooks = sorted((REPO / "hooks").iterdir())
    assert [h.name for h in hooks] == ["ifnet", "link", "power"]
    for hook in hooks:
        shebang = hook.read_text().splitlines()[0].split()
        assert shebang[0] == "#!%%PYTHON%%" and shebang[1].startswith("-") and "I" in shebang[1]


def test_root_gets_no_stock_rule_run_that_no_hook_forwards(base: Path) -> None:
    """Even root's socket is not a way to run /etc/rc.suspend or pccard_ether stopchildren."""
    d = Daemon(base).start()
    try:
        d.wait_ready()
        for line in ("!system=ACPI subsystem=Suspend", "-iwn0 at pci0 on pci0", "? at on pci0"):
            d.send(f"laggroam/1 DEVD {line}\n".encode())
        status = d.wait_status("three refusals", lambda s: s["refused"] >= 3)
        assert status["accepted"] == 0
        assert "not an event laggroam's hooks forward" in d.log()
        assert "chained" not in d.log()
    finally:
        d.stop()
