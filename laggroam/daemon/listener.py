"""The daemon's Unix socket: created safely, peers checked, messages read without blocking.

Only root (and the daemon's own user) may send: every message can make the
daemon act as root, and a devd line makes it run a stock devd rule.  The
socket is mode 0600 and each peer's credentials are checked as well.  The
policy's ``group`` shares the daemon's status, never the socket.

Each hook connects, writes one line and closes.  Nothing a peer sends can
block or crash the daemon: reads are non-blocking, a message is bounded, a
peer that stays silent is dropped after ``CLIENT_TIMEOUT``, and there is a
cap on slow connections open at once (the oldest is dropped to make room,
so a crowd of silent peers cannot lock the hooks out).
"""

import contextlib
import errno
import logging
import os
import socket
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from laggroam.daemon.peercred import PeerCred, peer_cred
from laggroam.devd.intake import Intake
from laggroam.devd.protocol import MAX_MESSAGE, ProtocolError, decode

log = logging.getLogger(__name__)

CLIENT_TIMEOUT = 1.0
MAX_CLIENTS = 64
# Connections taken per call to accept(): under a flood the caller's timers and
# dispatch still run between two calls.
ACCEPT_BATCH = 64
# sockaddr_un's sun_path is 104 bytes on FreeBSD (sys/sys/un.h).
MAX_SOCKET_PATH = 103


class ListenerError(Exception):
    """The socket cannot be set up; the message says why."""


@dataclass
class _Client:
    sock: socket.socket
    cred: PeerCred
    deadline: float
    buf: bytearray = field(default_factory=bytearray)
    # Handed to the caller to watch; most hooks are read and dropped before.
    watched: bool = False


@dataclass
class Counters:
    accepted: int = 0
    refused: int = 0


class Listener:
    """Accepts hook connections and turns complete lines into ``Intake``s."""

    def __init__(
        self,
        path: Path,
        on_message: Callable[[Intake], None],
        on_drop: Callable[[socket.socket], None] = lambda _sock: None,
    ) -> None:
        self.path = path
        self.on_message = on_message
        self.on_drop = on_drop
        self.counters = Counters()
        self.clients: dict[int, _Client] = {}
        self._last_refusal_log = 0.0
        self._quiet_refusals = 0
        self.sock = self._bind()

    # -- setup -------------------------------------------------------------

    def _bind(self) -> socket.socket:
        path = str(self.path)
        if len(os.fsencode(path)) > MAX_SOCKET_PATH:
            raise ListenerError(f"{path}: socket path longer than {MAX_SOCKET_PATH} bytes")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._remove_stale()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            sock.bind(path)
        except OSError as exc:
            sock.close()
            raise ListenerError(f"{path}: cannot bind: {exc.strerror}") from None
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        sock.listen(socket.SOMAXCONN)
        sock.setblocking(False)
        return sock

    def _remove_stale(self) -> None:
        """A socket file left by a crash is replaced; anything else is refused."""
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return
        if not stat.S_ISSOCK(st.st_mode):
            raise ListenerError(f"{self.path}: exists and is not a socket; not touched")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.settimeout(0.5)
            probe.connect(str(self.path))
        except OSError:
            os.unlink(self.path)
            log.info("%s: removed a stale socket", self.path)
            return
        finally:
            probe.close()
        raise ListenerError(f"{self.path}: another laggroam daemon answers on it")

    def close(self) -> None:
        for client in list(self.clients.values()):
            self._drop(client)
        self.sock.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    # -- serving -----------------------------------------------------------

    def accept(self) -> list[socket.socket]:
        """Accept every pending connection; returns the new client sockets to watch."""
        new: list[socket.socket] = []
        for _ in range(ACCEPT_BATCH):
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                break
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    log.warning("cannot accept a connection: %s", exc.strerror)
                    break
                raise
            conn.setblocking(False)
            cred = peer_cred(conn)
            if cred is None or not self._allowed(cred):
                who = "an unknown peer" if cred is None else f"uid {cred.uid}"
                self._refuse(f"connection from {who} refused: only root may send events")
                conn.close()
                continue
            client = _Client(conn, cred, time.monotonic() + CLIENT_TIMEOUT)
            self.clients[conn.fileno()] = client
            # A hook has usually written its line before we accept: read it
            # now, so that only slow peers occupy a place.
            self.readable(conn.fileno())
            if conn.fileno() not in self.clients:
                continue
            if len(self.clients) > MAX_CLIENTS:
                oldest = min(self.clients.values(), key=lambda c: c.deadline)
                self._refuse(
                    f"uid {oldest.cred.uid} dropped: {MAX_CLIENTS} slow connections already open"
                )
                self._drop(oldest)
                if oldest is client:
                    continue
            client.watched = True
            new.append(conn)
        # A connection accepted early in the loop may have been dropped since.
        return [c for c in new if c.fileno() in self.clients]

    def readable(self, fd: int) -> None:
        client = self.clients.get(fd)
        if client is None:
            return
        try:
            data = client.sock.recv(MAX_MESSAGE + 1 - len(client.buf))
        except BlockingIOError:
            return
        except OSError as exc:
            self._refuse(f"read from uid {client.cred.uid} failed: {exc.strerror}")
            self._drop(client)
            return
        if not data:
            self._refuse(f"incomplete message from uid {client.cred.uid} (no newline)")
            self._drop(client)
            return
        client.buf += data
        newline = client.buf.find(b"\n")
        if newline < 0:
            if len(client.buf) > MAX_MESSAGE:
                self._refuse(f"message from uid {client.cred.uid} longer than {MAX_MESSAGE} bytes")
                self._drop(client)
            return
        line = bytes(client.buf[: newline + 1])
        self._drop(client)
        try:
            intake = decode(line)
        except ProtocolError as exc:
            self._refuse(f"message from uid {client.cred.uid} refused: {exc}")
            return
        self.counters.accepted += 1
        self.on_message(intake)

    def expire(self, now: float) -> None:
        for client in list(self.clients.values()):
            if client.deadline <= now:
                self._refuse(f"uid {client.cred.uid} sent no complete message in time")
                self._drop(client)

    def next_deadline(self) -> float | None:
        return min((c.deadline for c in self.clients.values()), default=None)

    # -- helpers -----------------------------------------------------------

    def _allowed(self, cred: PeerCred) -> bool:
        return cred.uid in (0, os.geteuid())

    def _drop(self, client: _Client) -> None:
        self.clients.pop(client.sock.fileno(), None)
        if client.watched:
            # Not for the others: a selector's "not registered" KeyError formats
            # the socket's repr, a fifth of the cost of a message in a flap storm.
            self.on_drop(client.sock)
        client.sock.close()

    def _refuse(self, message: str) -> None:
        """Count and log a refusal; a flood is summarised, not logged line by line."""
        self.counters.refused += 1
        now = time.monotonic()
        if now - self._last_refusal_log >= 1.0:
            if self._quiet_refusals:
                log.warning("%d more refusals in the last second", self._quiet_refusals)
            log.warning("%s", message)
            self._last_refusal_log = now
            self._quiet_refusals = 0
        else:
            self._quiet_refusals += 1
