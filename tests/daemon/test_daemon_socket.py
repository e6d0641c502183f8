"""The event socket: strangers refused, bad and slow peers neither crash nor block it."""

import contextlib
import os
import socket
import threading

from daemonhelp import DOWN_EM0, UP_EM0, WAIT, Daemon, sim, wait_for

from laggroam.daemon.listener import CLIENT_TIMEOUT, MAX_CLIENTS
from laggroam.devd.protocol import MAX_MESSAGE

NOBODY = 65534


def send_as(uid: int, path: str, message: bytes) -> int:
    """Connect and send as ``uid`` (a forked child drops root); 0 once connected.

    The daemon may hang up before the line is out (it checks the peer at accept).
    """
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(path)
                code = 0
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    s.sendall(message)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def raw_send(path: str, data: bytes) -> None:
    """Send anything; the daemon may hang up on us half-way, which is fine."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(data)


def test_non_root_peer_is_refused_and_logged(daemon: Daemon) -> None:
    before = daemon.wait_ready()
    # The socket is 0600 root; open it up so that the peer check itself is tried.
    assert daemon.socket.stat().st_mode & 0o777 == 0o600
    daemon.socket.chmod(0o666)
    assert send_as(NOBODY, str(daemon.socket), DOWN_EM0) == 0
    wait_for(
        "the refusal in the log",
        lambda: f"connection from uid {NOBODY} refused: only root may send events" in daemon.log(),
    )
    # root's next event reconciles alone: nobody's LINK_DOWN never reached the queue.
    n = len(daemon.journal())
    daemon.send(UP_EM0)
    records = daemon.wait_journal("root's reconcile", lambda r: len(r) > n)
    assert records[-1]["events"] == ["LINK_UP em0"]
    status = daemon.wait_status("the counters", lambda s: s["reconciles"] > before["reconciles"])
    assert status["refused"] == before["refused"] + 1


def test_garbage_oversized_half_sent_and_crowds_do_not_block(daemon: Daemon) -> None:
    before = daemon.wait_ready()
    path = str(daemon.socket)
    n = len(daemon.journal())

    half = socket.socket(socket.AF_UNIX)
    half.connect(path)
    half.sendall(b"laggroam/1 DEVD !system=IFNET subsystem=em0")  # no newline, held open
    silent = []
    for _ in range(MAX_CLIENTS + 16):  # more slow peers than the daemon keeps
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        silent.append(s)
    bad = [
        b"\x00\xff\xfe binary\n",
        b"hello\n",
        b"laggroam/2 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN\n",
        b"laggroam/1 DEVD !system=IFNET subsystem=em0;reboot type=LINK_DOWN\n",
        b"laggroam/1 EVENT LINK_DOWN em0\n",  # not a message: events come as devd lines
        b"laggroam/1 FROB em0\n",
        b"laggroam/1 DEVD " + b"A" * (4 * MAX_MESSAGE) + b"\n",
        b"laggroam/1 DEVD !system=IFNET subsystem=em0 type=LINK_DOWN",  # closed without its newline
        b"",
    ]
    for data in bad:
        raw_send(path, data)

    # Many hooks at once, all while the slow peers hang on.
    barrier = threading.Barrier(50)
    results: list[bool] = []

    def hook() -> None:
        from laggroam.devd.hookclient import send

        barrier.wait(timeout=WAIT)
        results.append(send(path, UP_EM0))

    threads = [threading.Thread(target=hook) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=WAIT)
    assert results == [True] * 50, daemon.log()

    # The world changes; the hook's message is heard through all that.
    sim(daemon.sim_dir, "unplug", "em0")
    daemon.send(DOWN_EM0)
    records = daemon.wait_journal(
        "a reconcile with LINK_DOWN", lambda r: any("LINK_DOWN em0" in x["events"] for x in r[n:])
    )
    assert next(x for x in records[n:] if "LINK_DOWN em0" in x["events"])["converged"] is True
    assert daemon.active_when_converged() == "wlan0"

    # The slow peers are hung up on by the daemon, not the other way round.
    half.settimeout(CLIENT_TIMEOUT + WAIT)
    assert half.recv(1) == b""
    for s in silent:
        s.settimeout(CLIENT_TIMEOUT + WAIT)
        assert s.recv(1) == b""
        s.close()
    half.close()

    # Each bad message, each silent peer and the half-sent one: one refusal each.
    refused = before["refused"] + len(bad) + len(silent) + 1
    status = daemon.wait_status(
        "quiet, every refusal counted",
        lambda s: not s["busy"] and s["queue"] == 0 and s["refused"] >= refused,
    )
    assert status["accepted"] == before["accepted"] + 51
    assert status["refused"] == refused
    log = daemon.log()
    assert f"longer than {MAX_MESSAGE} bytes" in log or "more refusals" in log
    assert daemon.proc is not None and daemon.proc.poll() is None
