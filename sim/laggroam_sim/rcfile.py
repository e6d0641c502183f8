"""The simulated host's ``/etc/rc.conf`` as a file, and ``sysrc`` to change it.

The simulator keeps rc.conf's variables in its state (``SimState.rc_conf``),
which its rc.d scripts read; the file under ``DIR/root/etc/rc.conf`` is what
an administrator and laggroam read (``laggroam init --from-rc-conf``,
``check --rc-conf``).  Both are written together, so they never disagree.

``sysrc NAME=VALUE`` prints ``NAME: BEFORE -> AFTER`` and sets the variable
in /etc/rc.conf; ``sysrc NAME`` prints ``NAME: VALUE`` or "unknown variable"
(freebsd-src usr.sbin/sysrc/sysrc: SEP ": ", f_sysrc_set writes NAME="VALUE"
to the first of rc_conf_files).  The simulated /etc/defaults/rc.conf is
empty: a variable the laptop's rc.conf does not set has no value.
"""

import re
from pathlib import Path

from laggroam_sim.atomicfile import write_atomic
from laggroam_sim.state import Sim

RC_CONF = "etc/rc.conf"
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
USAGE = "Usage: sysrc [OPTIONS] {name[[+|-]=value] ...}\n"


def render(variables: dict[str, str]) -> str:
    """rc.conf text: one ``name="value"`` line per variable, as sysrc writes them."""
    lines = [f'{name}="{_quote(value)}"' for name, value in variables.items()]
    return "\n".join(lines) + "\n" if lines else ""


def _quote(value: str) -> str:
    # Inside double quotes sh(1) still expands $, ` and \; sysrc escapes them too.
    return re.sub(r'([\\"$`])', r"\\\1", value)


def write(sim: Sim) -> Path:
    """Write the host's rc.conf from the simulator's variables."""
    path = Path(sim.dir).resolve() / "root" / RC_CONF
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, render(sim.state.rc_conf))
    return path


def sysrc(sim: Sim, argv: list[str]) -> tuple[str, str, int]:
    """``sysrc NAME[=VALUE] ...`` on the simulated host: (stdout, stderr, status)."""
    out, err, status = "", "", 0
    names = [a for a in argv if not a.startswith("-")]
    if not names or len(names) != len(argv):
        return "", USAGE, 1  # options are not simulated
    changed = False
    for word in names:
        name, sep, value = word.partition("=")
        if not NAME_RE.fullmatch(name):
            err += f"sysrc: {name}: not a variable name\n"
            status = 1
            continue
        before = sim.state.rc_conf.get(name)
        if not sep:
            if before is None:
                err += f"sysrc: unknown variable '{name}'\n"
                status = 1
            else:
                out += f"{name}: {before}\n"
            continue
        sim.state.rc_conf[name] = value
        changed = True
        out += f"{name}: {before or ''} -> {value}\n"
    if changed:
        write(sim)
    return out, err, status
