"""Who is on the other end of a Unix stream socket.

Linux answers ``SO_PEERCRED`` with ``struct ucred {pid, uid, gid}``; FreeBSD
answers ``LOCAL_PEERCRED`` (level 0, option 1) with ``struct xucred``, whose
first two members are ``u_int cr_version`` and ``uid_t cr_uid``, followed by
``short cr_ngroups`` and ``gid_t cr_groups[XU_NGROUPS]`` with the effective
gid first (freebsd-src sys/sys/ucred.h, sys/sys/un.h; getpeereid(3)).
"""

import socket
import struct
import sys
from dataclasses import dataclass

_SOL_LOCAL = 0
_LOCAL_PEERCRED = 1
_XUCRED_SIZE = 4 + 4 + 2 + 2 + 16 * 4 + 8


@dataclass(frozen=True, slots=True)
class PeerCred:
    uid: int
    gid: int | None
    pid: int | None = None


def peer_cred(sock: socket.socket) -> PeerCred | None:
    """The peer's credentials, or None when the platform cannot tell (refuse then)."""
    try:
        if sys.platform.startswith("linux"):
            raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            pid, uid, gid = struct.unpack("3i", raw)
            return PeerCred(uid, gid, pid)
        if "bsd" in sys.platform or sys.platform == "darwin":
            level = getattr(socket, "SOL_LOCAL", _SOL_LOCAL)
            option = getattr(socket, "LOCAL_PEERCRED", _LOCAL_PEERCRED)
            raw = sock.getsockopt(level, option, _XUCRED_SIZE)
            _version, uid, ngroups = struct.unpack_from("=IIh", raw)
            gid = struct.unpack_from("=I", raw, 12)[0] if ngroups > 0 else None
            return PeerCred(uid, gid)
    except OSError:
        return None
    return None
