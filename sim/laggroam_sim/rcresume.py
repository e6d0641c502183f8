"""What /etc/rc.resume and /etc/rc.suspend run: the rc.d scripts with the keyword.

libexec/rc/rc.resume (and rc.suspend) check their two arguments, log, and
then ``files=`rcorder -k resume /etc/rc.d/* ${local_rc}``` and
``run_rc_script $_rc_elem resume`` for each (``local_rc`` from
``find_local_scripts_new``: /usr/local/etc/rc.d).  A script is chosen only by
its ``# KEYWORD:`` line; a script without ``resume`` there is never run on
resume, whatever ``resume_cmd`` it defines.

The simulator has no /bin/sh with rc.subr, so it plays ``run_rc_script``
for the scripts under the simulated root: it reads the script's
``resume_cmd="FUNC"`` and runs the simple commands of ``FUNC()`` as argv
lists (no shell), each with a timeout.  Anything the body does that is not
a plain command is reported as not simulated.
"""

import re
import shlex
import subprocess
import tempfile
from pathlib import Path

RC_DIRS = ("etc/rc.d", "usr/local/etc/rc.d")
TIMEOUT = 30.0
OUTPUT_MAX = 4096
_KEYWORD = re.compile(r"^#\s*KEYWORD:(.*)$", re.MULTILINE)
_PLAIN = re.compile(r'^[A-Za-z0-9_./%"\' !=+:-]+$')


def scripts_with(root: Path, keyword: str) -> list[Path]:
    """``rcorder -k KEYWORD`` over the simulated rc.d directories (name order)."""
    found = []
    for rel in RC_DIRS:
        directory = root / rel
        if not directory.is_dir():
            continue
        for script in sorted(directory.iterdir()):
            try:
                text = script.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            words = " ".join(_KEYWORD.findall(text)).split()
            if keyword in words:
                found.append(script)
    return found


def command_lines(text: str, verb: str) -> list[str] | None:
    """The body lines of ``VERB_cmd``'s function, or None when it has none."""
    cmd = re.search(rf'^{verb}_cmd="([A-Za-z_][A-Za-z0-9_]*)"', text, re.MULTILINE)
    if cmd is None:
        return None
    body = re.search(rf"^{cmd.group(1)}\(\)\s*\n\{{\n(.*?)\n\}}", text, re.MULTILINE | re.DOTALL)
    if body is None:
        return None
    return [line.strip() for line in body.group(1).splitlines() if line.strip()]


def run_scripts(root: Path, verb: str) -> tuple[str, list[str]]:
    """Run ``VERB`` of every script with that keyword; (output, one note per script)."""
    out = ""
    notes = []
    for script in scripts_with(root, verb):
        text = script.read_text(encoding="utf-8", errors="replace")
        lines = command_lines(text, verb)
        shown = "/" + str(script.relative_to(root))
        if lines is None:
            notes.append(f"{shown} {verb}: no {verb}_cmd, nothing run")
            continue
        for line in lines:
            if not _PLAIN.fullmatch(line) or line.startswith(("if ", "[")):
                notes.append(f"{shown} {verb}: '{line}' is not simulated")
                continue
            argv = shlex.split(line)
            # output to a file, not a pipe: a child the command leaves running
            # (a hook's detached one-shot) must not hold the caller until it ends
            with tempfile.TemporaryFile() as log:
                try:
                    done = subprocess.run(
                        argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                        timeout=TIMEOUT, check=False,
                    )  # fmt: skip
                except (OSError, subprocess.TimeoutExpired) as exc:
                    notes.append(f"{shown} {verb}: {argv[0]}: {exc}")
                    continue
                log.seek(0)
                out += log.read(OUTPUT_MAX).decode("utf-8", "replace")
            notes.append(f"{shown} {verb}: {argv[0]} exit {done.returncode}")
    return out, notes
