"""``ps`` on the simulated host: the options rc.subr and laggroam use, with FreeBSD's output.

freebsd-src bin/ps/ps.c: ``-o`` takes keywords separated by commas or given
again, ``KEYWORD=`` prints no header for it (and ``KEYWORD=TEXT`` that text);
``-p`` takes a comma or blank separated list of pids, a bad one is "Invalid
process id: X" (``addelem_pid``); ``-w`` is accepted (twice: no width limit);
``-a``/``-x`` select every process; ps exits 1 when no process matched.
bin/ps/fmt.c ``fmt_argv``: ``command`` is the argument vector, followed by
``(comm)`` when the basename of its first word is not the command name --
which is how a daemon that set its title with setproctitle(3) shows,
``dhclient: lagg0 (dhclient)`` (sbin/dhclient/dhclient.c
``setproctitle("%s", ifi->name)``; setproctitle prefixes the program name).

Guesses, said here once: column widths (pid 5, jid 3, right-aligned) and the
default format's TT/STAT/TIME values; the simulator has no jails (jid 0) and
no processes but its daemons.
"""

from laggroam_sim.model import Process
from laggroam_sim.state import Sim

USAGE = (
    "usage: ps [--libxo] [-aCcdefHhjlmrSTuvwXxZ] [-O fmt | -o fmt]\n"
    "          [-G gid[,gid...]] [-J jid[,jid...]] [-M core] [-N system]\n"
    "          [-p pid[,pid...]] [-t tty[,tty...]] [-U user[,user...]]\n"
    "       ps [--libxo] -L\n"
)
HEADERS = {"pid": "PID", "jid": "JID", "comm": "COMMAND", "command": "COMMAND", "args": "COMMAND"}
ALIASES = {"args": "command", "ucomm": "comm"}
DEFAULT_FORMAT = ["pid", "tt", "stat", "time", "command"]
WIDTH = {"pid": 5, "jid": 3}


class PsOutput:
    def __init__(self) -> None:
        self.out = ""
        self.err = ""
        self.status = 0


def command_of(proc: Process) -> str:
    """What ``-o command`` shows for a simulated process."""
    if proc.prog == "dhclient":
        title = f"dhclient: {proc.ifname}"  # setproctitle(ifi->name), prefixed "dhclient: "
        return f"{title} ({proc.prog})"
    args = " ".join(a for a in proc.argv if a)
    first = proc.argv[0].rsplit("/", 1)[-1] if proc.argv else ""
    return args if first == proc.prog else f"{args} ({proc.prog})"


def run(sim: Sim, argv: list[str]) -> PsOutput:
    out = PsOutput()
    fields: list[tuple[str, str | None]] = []
    pids: list[int] | None = None
    every = False
    args = list(argv)
    while args:
        word = args.pop(0)
        if not word.startswith("-") or word == "-":
            out.err, out.status = USAGE, 1
            return out
        letters = word[1:]
        while letters:
            letter, letters = letters[0], letters[1:]
            if letter in "op":
                value = letters or (args.pop(0) if args else None)
                letters = ""
                if value is None:
                    out.err = f"ps: option requires an argument -- {letter}\n{USAGE}"
                    out.status = 1
                    return out
                if letter == "o":
                    if not _add_fields(value, fields, out):
                        return out
                else:
                    pids = _add_pids(value, pids or [], out)
                    if pids is None:
                        return out
            elif letter in "ax":
                every = True
            elif letter != "w":
                out.err = f"ps: illegal option -- {letter}\n{USAGE}"
                out.status = 1
                return out
    procs = sorted(sim.state.processes.values(), key=lambda p: p.pid)
    if pids is not None:
        procs = [p for p in procs if p.pid in pids]
    elif not every:
        procs = []  # no tty: without -x a daemon is not shown
    fields = fields or [(f, HEADERS.get(f, f.upper())) for f in DEFAULT_FORMAT]
    if any(header for _, header in fields):
        out.out += " ".join(_cell(name, header or "") for name, header in fields).rstrip() + "\n"
    for proc in procs:
        out.out += " ".join(_cell(name, _value(proc, name)) for name, _ in fields).rstrip() + "\n"
    out.status = 0 if procs else 1
    return out


def _add_fields(value: str, fields: list[tuple[str, str | None]], out: PsOutput) -> bool:
    name, eq, header = value.partition("=")
    names = [name] if eq else [n for n in value.replace(" ", ",").split(",") if n]
    for n in names:
        key = ALIASES.get(n, n)
        if key not in ("pid", "jid", "comm", "command", "tt", "stat", "time"):
            out.err, out.status = f"ps: {n}: keyword not found\n", 1
            return False
        fields.append((key, header if eq else HEADERS.get(key, key.upper())))
    return True


def _add_pids(value: str, pids: list[int], out: PsOutput) -> list[int] | None:
    for elem in value.replace(" ", ",").replace("\t", ",").split(","):
        if not elem:
            continue
        if not elem.isdigit():
            out.err, out.status = f"ps: Invalid process id: {elem}\n", 1
            return None
        pids.append(int(elem))
    return pids


def _value(proc: Process, name: str) -> str:
    if name == "pid":
        return str(proc.pid)
    if name == "jid":
        return "0"
    if name == "comm":
        return proc.prog
    if name == "command":
        return command_of(proc)
    return {"tt": "-", "stat": "Ss", "time": "0:00.01"}.get(name, "")


def _cell(name: str, text: str) -> str:
    width = WIDTH.get(name)
    return text.rjust(width) if width else text
