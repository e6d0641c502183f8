"""rc.subr's ``run_rc_command``: the start, stop, restart and status paths every rc.d script shares.

freebsd-src libexec/rc/rc.subr ``run_rc_command``: the prefixes fast, force,
one and quiet, the ``status`` texts, "already running?", "not running?",
``check_startmsgs``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from laggroam_sim.state import Sim


class Output:
    """stdout, stderr and exit status of an rc.d run."""

    def __init__(self) -> None:
        self.out = ""
        self.err = ""
        self.status = 0

    def done(self, status: int) -> "Output":
        self.status = status
        return self


@dataclass
class Prefix:
    """rc.subr's verb prefixes: fast (no pid check, quiet), force, one, quiet."""

    fast: bool = False
    force: bool = False
    quiet: bool = False

    @classmethod
    def split(cls, verb: str) -> tuple["Prefix", str]:
        for word in ("fast", "force", "one", "quiet"):
            if verb.startswith(word):
                rest = verb[len(word) :]
                return cls(fast=word == "fast", force=word == "force",
                           quiet=word in ("fast", "quiet")), rest  # fmt: skip
        return cls(), verb


@dataclass
class RcService:
    """What run_rc_command needs to know about one rc.d script and interface."""

    name: str
    pidfile: str
    pid: Callable[[], int | None]
    start: Callable[[Output], int]
    stop: Callable[[], None]
    precmd: Callable[[Prefix, Output], bool] = lambda prefix, out: True
    stop_precmd: bool = False
    startmsgs: bool = True
    # rc.d/dhclient's precmd calls "exit 1" itself, so rc.subr's warning never prints
    precmd_exits: bool = False


def run_rc_command(svc: RcService, arg: str, prefix: Prefix, out: Output) -> Output:
    """The start/stop/restart/status paths of rc.subr ``run_rc_command``."""
    pid = None if prefix.fast else svc.pid()
    if arg == "status":
        return _status(svc, pid, out)
    if arg == "restart":
        # "( run_rc_command ${_rc_prefix}stop )" then start; the status is start's
        run_rc_command(svc, "stop", prefix, out)
        return run_rc_command(svc, "start", prefix, out)
    if arg == "stop":
        return _stop(svc, pid, prefix, out)
    if arg == "start":
        return _start(svc, pid, prefix, out)
    return out.done(0)  # rcvar, describe, enabled...: nothing the simulator models


def _status(svc: RcService, pid: int | None, out: Output) -> Output:
    if pid is not None:
        out.out += f"{svc.name} is running as pid {pid}.\n"
        return out.done(0)
    out.out += f"{svc.name} is not running.\n"
    return out.done(1)


def _stop(svc: RcService, pid: int | None, prefix: Prefix, out: Output) -> Output:
    if pid is None:
        if prefix.fast:
            return out.done(0)
        out.err += f"{svc.name} not running? (check {svc.pidfile}).\n"
        return out.done(1)
    if svc.stop_precmd and not svc.precmd(prefix, out):
        return out.done(1)
    out.out += f"Stopping {svc.name}.\n"
    svc.stop()
    return out.done(0)


def _start(svc: RcService, pid: int | None, prefix: Prefix, out: Output) -> Output:
    if pid is not None:
        if not prefix.quiet:
            # two echo arguments: "already running? " "(pid=N)." (two spaces)
            out.err += f"{svc.name} already running?  (pid={pid}).\n"
        return out.done(1)
    if not svc.precmd(prefix, out):
        if not svc.precmd_exits:
            out.err += f"/etc/rc.d/{svc.name}: WARNING: failed precmd routine for {svc.name}\n"
        return out.done(1)
    if svc.startmsgs:
        out.out += f"Starting {svc.name}.\n"
    if svc.start(out) != 0:
        out.err += f"/etc/rc.d/{svc.name}: WARNING: failed to start {svc.name}\n"
        return out.done(1)
    return out.done(0)


def startmsgs(sim: Sim, prefix: Prefix) -> bool:
    """rc.subr ``check_startmsgs``: quiet runs print only when rc_startmsgs is YES (default)."""
    if not prefix.quiet:
        return True
    return sim.state.rc_conf.get("rc_startmsgs", "YES").upper() in ("YES", "TRUE", "ON", "1")
