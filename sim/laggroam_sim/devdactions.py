"""One action of a devd rule, run as devd runs it: ``sh -c COMMAND``, waited for.

devd.cc ``my_system`` hands each expanded action to ``/bin/sh -c`` and waits
(freebsd-src sbin/devd/devd.cc).  Most actions of the stock rules are one
program with plain words -- ``service dhclient quietstart $'em0'``,
``/etc/pccard_ether $'iwn0' startchildren``, ``/etc/rc.resume acpi $'0x03'``
-- and that program is one of the simulator's stand-ins: such an action runs
the stand-in in this process with the argv the shell would have built, as
``inprocess`` does for the product's observation; only the fork and the exec
are skipped.  Every other action (laggroam's hooks, any shell syntax, a
program that is no stand-in) goes through the shell.
"""

import re
import subprocess
import tempfile
from pathlib import Path

from laggroam_sim import binscripts, userland
from laggroam_sim.model import WriteCall
from laggroam_sim.state import Sim, SimError

ACTION_TIMEOUT = 60.0
OUTPUT_MAX = 4096
# A devd action names a stand-in by its bare name (found first on devd's
# PATH, DIR/bin) or by its path: DIR/bin/NAME, or one of the scripts the stock
# rules name under the simulated / (binscripts.ROOT_SCRIPTS).
BIN = binscripts.PROGRAMS
# service(8) verbs that start and stop processes outside the host's lock (localrc)
OUTSIDE_SERVICES = ("devd", "laggroam")
# A word: plain characters and $'...' pieces (devdexpand.shell_quote: only \\ and \' escaped).
_PIECE = r"(?:[A-Za-z0-9_./:=+,@%-]+|\$'(?:[^'\\]|\\[\\'])*')"
_QUOTED = re.compile(r"\$'((?:[^'\\]|\\[\\'])*)'")
_SPLIT = re.compile(r"\s*(" + _PIECE + r"+)\s*")


def words(command: str) -> list[str] | None:
    """The argv ``sh -c`` would build from plain words; None for anything else."""
    argv: list[str] = []
    pos = 0
    while pos < len(command):
        m = _SPLIT.match(command, pos)
        if m is None or m.end() == pos:
            return None
        argv.append(_unquote(m.group(1)))
        pos = m.end()
    return argv or None


def _unquote(word: str) -> str:
    """bash's $'...': \\\\ is a backslash, \\' a quote (the only escapes devd writes)."""
    return _QUOTED.sub(lambda m: m.group(1).replace("\\'", "'").replace("\\\\", "\\"), word)


def standin(command: str, sim_dir: Path) -> tuple[str, list[str]] | None:
    """(program, arguments) when ``command`` runs one stand-in with plain words."""
    argv = words(command)
    if argv is None:
        return None
    prog, args = argv[0], argv[1:]
    root = Path(sim_dir).resolve() / "root"
    bin_dir = Path(sim_dir).resolve() / "bin"
    if "/" not in prog:
        name = prog if prog in BIN else None
    elif any(prog == f"{root}/{rel}" for rel in binscripts.ROOT_SCRIPTS):
        name = Path(prog).name
    else:
        name = Path(prog).name if Path(prog).parent == bin_dir and Path(prog).name in BIN else None
    if name is None or (name == "service" and args[:1] and args[0] in OUTSIDE_SERVICES):
        return None
    return name, args


def run_inline(sim: Sim, prog: str, argv: list[str]) -> tuple[int, str]:
    """A stand-in on the open host, as ``standin.execute`` runs it but without the lock."""
    try:
        run = userland.dispatch(sim, prog, argv)
    except SimError as exc:
        return 70, f"{prog}: simulator: {exc}\n"
    if run.wrote:
        sim.state.write_calls.append(WriteCall(sim.state.now, prog, list(argv)))
    return run.status, run.out + run.err


def shell(sim_dir: Path, command: str) -> tuple[int | None, str]:
    """devd.cc my_system: ``sh -c COMMAND`` in devd's environment, waited for.

    The shell is bash (Debian's dash cannot read devd's ``$'...'`` quoting) and
    PATH starts with the stand-ins.  Output goes to a file, not a pipe: a hook
    leaves a detached reconcile behind that must not keep devd waiting.
    """
    from laggroam_sim.site import site_of

    programs = site_of(Path(sim_dir)).programs
    env = {"PATH": programs.path, "HOME": "/"}
    with tempfile.TemporaryFile() as out:
        try:
            proc = subprocess.run(
                [programs.sh, "-c", command],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env=env,
                cwd="/",
                timeout=ACTION_TIMEOUT,
                check=False,
            )
            status: int | None = proc.returncode
            note = ""
        except subprocess.TimeoutExpired:
            status, note = None, f"(killed after {ACTION_TIMEOUT:.0f} s)\n"
        except OSError as exc:
            status, note = None, f"{programs.sh}: {exc.strerror or exc}\n"
        out.seek(0)
        text = out.read(OUTPUT_MAX).decode("utf-8", "replace")
    return status, text + note
