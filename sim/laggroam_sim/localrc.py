"""``service devd ...`` and ``service laggroam ...`` on the simulated host.

The base system's rc.d scripts the product drives are modelled in
``laggroam_sim.rc``; this module adds the two an administrator runs while
setting laggroam up (README "Daily use", laggroam(8) EXAMPLES):

* ``service devd restart|start|stop|status``: the simulated devd reads its
  configuration again, or stops taking the host's events (they wait).
* ``service laggroam VERB``: the installed ``/usr/local/etc/rc.d/laggroam``
  (conf/rc.d/laggroam) on rc.subr's ``run_rc_command`` (freebsd-src
  libexec/rc/rc.subr): the ``laggroam_enable`` check and its "Cannot 'start'"
  text, ``required_files``, ``start_precmd`` (``laggroam check``),
  "Starting laggroam.", "already running?", "Stopping laggroam." and
  ``wait_for_pids``'s "Waiting for PIDS: N.", ``status``, and the script's
  ``check``/``reload``/``resume`` commands.

A guess, said here once: the real script runs the daemon under daemon(8)
(``-R 5`` restarts it, ``-S`` sends its output to syslog).  The simulator runs
the daemon itself, in the foreground mode, with its log appended to
``/var/log/daemon.log`` (where the stock syslog.conf puts facility daemon),
both pidfiles naming the daemon, and nothing restarts it if it dies.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from laggroam.rc.rcconf import RcConfError, read_rc_conf
from laggroam_sim import devd

NAME = "laggroam"
SCRIPT = f"/usr/local/etc/rc.d/{NAME}"
DEFAULT_CONFIG = "/usr/local/etc/laggroam/laggroam.ini"
PIDFILE = f"/var/run/{NAME}.pid"
CHILD_PIDFILE = f"/var/run/{NAME}.child.pid"
LOG = "/var/log/daemon.log"
# Deadlines, not pauses: the daemon answers in well under a second.
START_DEADLINE = 60.0
STOP_DEADLINE = 30.0
KEYWORDS = ("start", "stop", "restart", "rcvar", "enable", "disable", "delete", "enabled",
            "describe", "extracommands", "reload", "check", "resume", "status", "poll")  # fmt: skip


class Output:
    """What one service run printed, and its exit status."""

    def __init__(self) -> None:
        self.out = ""
        self.err = ""
        self.status = 0


def handles(argv: list[str], sim_dir: Path) -> bool:
    """True for ``service devd ...`` and for an installed ``service laggroam ...``."""
    if len(argv) < 2:
        return False
    if argv[0] == "devd":
        return True
    return argv[0] == NAME and (devd.root_of(sim_dir) / SCRIPT.lstrip("/")).is_file()


def service(argv: list[str], sim_dir: Path) -> Output:
    if argv[0] == "devd":
        return _devd(argv[1], sim_dir)
    return laggroam(argv[1], sim_dir)


def main(argv: list[str], sim_dir: Path) -> int:
    out = service(argv, sim_dir)
    sys.stdout.write(out.out)
    sys.stderr.write(out.err)
    return out.status


# --- devd --------------------------------------------------------------------


def _devd(verb: str, sim_dir: Path) -> Output:
    """The simulated devd is no process: restart and start hand it the events."""
    out = Output()
    if verb in ("start", "restart", "onestart", "onerestart", "forcerestart"):
        if verb.endswith("restart"):
            out.out += "Stopping devd.\n"
        devd.start(sim_dir)
        out.out += "Starting devd.\n"
        devd.deliver(sim_dir)  # what the kernel queued while no devd read it
    elif verb in ("stop", "onestop", "forcestop"):
        devd.stop(sim_dir)
        out.out += "Stopping devd.\n"
    elif verb in ("status", "onestatus"):
        from laggroam_sim.state import read_only

        if read_only(sim_dir).devd:
            out.out += "devd is running (simulated: it delivers the host's events).\n"
        else:
            out.out += "devd is not running.\n"
            out.status = 1
    else:
        out.err += f"/etc/rc.d/devd: unknown directive '{verb}'.\n"
        out.status = 1
    return out


# --- laggroam ------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    """One run of the script: what rc.subr knows before it picks the verb's path."""

    sim_dir: Path
    root: Path
    prefix: str
    arg: str
    config: str
    enabled: bool
    pid: int | None

    @property
    def quiet(self) -> bool:
        return self.prefix in ("fast", "quiet")


def laggroam(verb: str, sim_dir: Path) -> Output:
    """``/usr/local/etc/rc.d/laggroam VERB`` on rc.subr's ``run_rc_command``."""
    out = Output()
    prefix = next((p for p in ("fast", "force", "one", "quiet") if verb.startswith(p)), "")
    arg = verb[len(prefix) :]
    if arg not in KEYWORDS:
        out.err += (
            f"{SCRIPT}: unknown directive '{verb}'.\n"
            f"Usage: {SCRIPT} [fast|force|one|quiet]({'|'.join(KEYWORDS)})\n"
        )
        out.status = 1
        return out
    call = _call(sim_dir, prefix, arg, out)
    if arg == "enabled":
        out.status = 0 if call.enabled else 1
        return out
    if arg in ("rcvar", "describe", "extracommands", "enable", "disable", "delete", "poll"):
        return out  # nothing the simulator models
    if _refused(call, out):
        return out
    return _run(call, out)


def _call(sim_dir: Path, prefix: str, arg: str, out: Output) -> _Call:
    root = devd.root_of(sim_dir)
    rc = _rc_vars(root, out)
    enabled = prefix in ("force", "one") or rc.get(f"{NAME}_enable", "NO").upper() in (
        "YES", "TRUE", "ON", "1",
    )  # fmt: skip
    pid = None if prefix == "fast" else running_pid(root)
    config = rc.get(f"{NAME}_config") or DEFAULT_CONFIG
    return _Call(sim_dir, root, prefix, arg, config, enabled, pid)


def _refused(call: _Call, out: Output) -> bool:
    """rc.subr's checks before a verb runs: ``${name}_enable``, "already running?"."""
    exempt = call.arg in ("stop", "status")  # rc.subr: and rcvar, delete, enable, describe
    if not call.enabled and (not exempt or (call.arg == "stop" and call.pid is None)):
        if not call.quiet:
            out.out += (
                f"Cannot '{call.arg}' {NAME}. Set {NAME}_enable to YES in /etc/rc.conf"
                f" or use 'one{call.arg}' instead of '{call.arg}'.\n"
            )
        return True
    if call.arg == "start" and call.pid is not None and call.prefix != "fast":
        if not call.quiet:
            out.err += f"{NAME} already running?  (pid={call.pid}).\n"
        out.status = 1
        return True
    return False


def _run(call: _Call, out: Output) -> Output:
    """The verb's path: the script's own commands, then rc.subr's."""
    if call.arg == "check":
        return _check(call.sim_dir, call.config, out)
    if call.arg == "resume":
        return _resume(call.root, out)
    if call.arg == "status":
        if call.pid is not None:
            out.out += f"{NAME} is running as pid {call.pid}.\n"
        else:
            out.out += f"{NAME} is not running.\n"
            out.status = 1
        return out
    if call.arg == "reload":
        return _reload(call, out)
    if call.arg in ("stop", "restart"):
        _stop(call.root, call.pid, call.prefix == "fast", out)
        if call.arg == "stop":
            return out
        out.status = 0
    return _start(call.sim_dir, call.config, out)


def _reload(call: _Call, out: Output) -> Output:
    if call.pid is None:
        out.err += f"{NAME} not running? (check {PIDFILE}).\n"
        out.status = 1
        return out
    if _check(call.sim_dir, call.config, out).status == 0:
        os.kill(call.pid, signal.SIGHUP)
    return out


def _rc_vars(root: Path, out: Output) -> dict[str, str]:
    """The script's variables as ``load_rc_config`` reads them from the host's rc.conf."""
    paths = [root / "etc/rc.conf"]
    for extra in (root / "etc/rc.conf.local", root / f"etc/rc.conf.d/{NAME}"):
        if extra.is_file():
            paths.append(extra)
    try:
        conf = read_rc_conf([p for p in paths if p.exists()])
    except RcConfError as exc:
        out.err += f"{exc}\n"
        return {}
    return {name: a.value for name, a in conf.variables.items()}


def _check(sim_dir: Path, config: str, out: Output) -> Output:
    """``laggroam_check``: the installed program's ``check`` on the policy."""
    proc = subprocess.run(
        [*_program(sim_dir), "-c", _on_host(sim_dir, config), "check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out.out += _as_on_host(sim_dir, proc.stdout)
    out.err += _as_on_host(sim_dir, proc.stderr)
    out.status = 0 if proc.returncode == 0 else 1
    return out


def _resume(root: Path, out: Output) -> Output:
    """``laggroam_resume``: the installed power hook, handed a Resume event."""
    hook = root / "usr/local/libexec/laggroam/power"
    proc = subprocess.run(
        [str(hook), "!system=ACPI subsystem=Resume type=Resume"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out.out += proc.stdout
    out.err += proc.stderr
    out.status = proc.returncode
    return out


def _start(sim_dir: Path, config: str, out: Output) -> Output:
    root = devd.root_of(sim_dir)
    if not Path(_on_host(sim_dir, config)).is_file():
        # check_required_before: required_files must be readable
        out.err += f"{SCRIPT}: WARNING: {config} is not readable.\n"
        out.status = 1
        return out
    if _check(sim_dir, config, out).status != 0:
        out.err += f"{SCRIPT}: WARNING: failed precmd routine for {NAME}\n"
        return out
    out.out += f"Starting {NAME}.\n"
    log = root / LOG.lstrip("/")
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as sink:
        proc = subprocess.Popen(
            [*_program(sim_dir), "-c", _on_host(sim_dir, config), "daemon", "-f"],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
            start_new_session=True,
            close_fds=True,
        )
    for pidfile in (PIDFILE, CHILD_PIDFILE):
        path = root / pidfile.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{proc.pid}\n")
    if not _wait(lambda: _serving(sim_dir, config) or proc.poll() is not None, START_DEADLINE):
        out.err += f"{SCRIPT}: WARNING: {NAME} did not answer within {START_DEADLINE:g}s\n"
    if proc.poll() is not None:
        out.err += f"{SCRIPT}: WARNING: failed to start {NAME} (exit {proc.returncode})\n"
        out.status = 1
    return out


def _stop(root: Path, pid: int | None, fast: bool, out: Output) -> None:
    if pid is None:
        if not fast:
            out.err += f"{NAME} not running? (check {PIDFILE}).\n"
            out.status = 1
        return
    out.out += f"Stopping {NAME}.\n"
    os.kill(pid, signal.SIGTERM)
    if _alive(pid):
        out.out += f"Waiting for PIDS: {pid}"
        _wait(lambda: not _alive(pid), STOP_DEADLINE)
        out.out += ".\n"
    for pidfile in (PIDFILE, CHILD_PIDFILE):
        (root / pidfile.lstrip("/")).unlink(missing_ok=True)


def running_pid(root: Path) -> int | None:
    """The pid in the pidfile, when that process lives and is laggroam's daemon.

    rc.subr ``check_pidfile`` compares the process's name with the
    command's; here the command line must be a laggroam daemon's.
    """
    try:
        pid = int((root / PIDFILE.lstrip("/")).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    ours = b"daemon" in cmdline and any(b"laggroam" in w for w in cmdline)
    return pid if ours and not _zombie(pid) else None


def _serving(sim_dir: Path, config: str) -> bool:
    """The daemon holds its pid lock and has done its first reconcile.

    Waiting for that first reconcile (which the real rc script does not do)
    makes what follows a start on the simulator repeatable.
    """
    from laggroam.config import policy
    from laggroam.daemon.daemonstatus import read_status
    from laggroam.edge.store import Store

    try:
        state_dir = policy.load(_on_host(sim_dir, config)).daemon.state_dir
    except (policy.PolicyErrors, OSError):
        return False
    status = read_status(Store(devd.root_of(sim_dir) / state_dir.lstrip("/")))
    return status is not None and bool(status.get("last_reconcile")) and not status.get("busy")


def _alive(pid: int) -> bool:
    """The process exists and has not exited (a zombie has exited)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own child
    return Path(f"/proc/{pid}").exists() and not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _wait(done: Callable[[], bool], deadline: float) -> bool:
    end = time.monotonic() + deadline
    while not done():
        if time.monotonic() >= end:
            return False
        time.sleep(0.05)
    return True


def _program(sim_dir: Path) -> list[str]:
    """The installed laggroam command, acting on this simulated host."""
    return [str(Path(sys.executable).with_name("laggroam")), "--sim", str(Path(sim_dir).resolve())]


def _on_host(sim_dir: Path, path: str) -> str:
    return str(devd.root_of(sim_dir) / path.lstrip("/"))


def _as_on_host(sim_dir: Path, text: str) -> str:
    return text.replace(str(devd.root_of(sim_dir)), "")
