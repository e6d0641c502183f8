"""1. devd's held time per event: a hook run as devd runs it, against a bare interpreter.

devd runs one action at a time and waits for it (freebsd-src
sbin/devd/devd.cc my_system: fork, ``/bin/sh -c COMMAND``, waitpid), so what
devd pays per event is the wall time from fork to the hook's exit.  The hooks
are templates: they are installed here with ``laggroam.admin.install`` into a
temporary prefix, the package beside them compiled to .pyc as a package
install ships it, and run two ways: exec'd directly (the kernel reads the
``#!PYTHON -IS`` line) and through the very command devd would pass to the
shell, computed by laggroam's own devd engine from the installed snippet
(``HOOK $'!system=IFNET ...'``; bash, because Debian's /bin/sh is dash, which
lacks ``$'...'``).  Each is compared with ``python -I -S -c pass`` started
the same way, interleaved in the same run.
"""

import compileall
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from laggroam_sim import binscripts

from bench.simhost import REPO, Laptop, daemon_on
from bench.stats import (
    Row,
    Timing,
    children,
    interleaved,
    ratio,
    reap_adopted,
    subreaper,
    time_argv,
)
from laggroam.admin import install
from laggroam.config.layout import Layout
from laggroam.devd import devdconf, devdline, devdmatch

EVENT = "!system=IFNET subsystem=em0 type=LINK_UP"
TARGET = 1.2
BASH = shutil.which("bash") or "/bin/bash"


def install_hooks(dest: Path, laptop: Laptop) -> tuple[Path, str]:
    """Install the hooks and devd snippet for ``laptop``; (link hook, devd's command)."""
    sitelib = dest / "sitelib"
    shutil.copytree(
        REPO / "laggroam", sitelib / "laggroam", ignore=shutil.ignore_patterns("__pycache__")
    )
    if not compileall.compile_dir(sitelib, quiet=1):
        raise RuntimeError(f"cannot compile {sitelib}")
    # The prefix is the temporary directory itself, so that the paths filled
    # into the snippet and the hooks are the ones that exist.
    layout = Layout(prefix=str(dest / "usr/local"))
    values = install.substitutions(
        layout,
        python=sys.executable,
        sitelib=str(sitelib),
        socket=str(laptop.socket),
        # the simulated host's own laggroam command (laggroam --site DIR)
        laggroam=str(binscripts.install_command(laptop.sim_dir)),
    )
    install.install(Path("/"), layout, values)
    config = devdconf.load_config([layout.devd_snippet])
    event = devdline.parse_event(EVENT)
    rule = devdmatch.find_rule(config, event, lambda _name: None)
    if rule is None:
        raise RuntimeError("the installed devd snippet has no rule for LINK_UP")
    (command,) = devdmatch.rule_commands(config, rule, event)
    return Path(layout.libexecdir) / "link", command


def fast_exit_variant(hook: Path) -> Path:
    """The installed hook, its last line calling ``hookclient.run`` (no tear-down) instead."""
    text = hook.read_text()
    if "run(sys.argv" in text:
        return hook  # the template already ends that way
    variant = text.replace("import main\n", "import run\n").replace("sys.exit(main(", "run(")
    variant = variant.replace("LAGGROAM))\n", "LAGGROAM)\n")
    if "run(sys.argv" not in variant or "sys.exit" in variant:
        raise RuntimeError(f"{hook}: the template's last line changed; update the variant")
    path = hook.with_name(hook.name + "-run")
    path.write_text(variant)
    path.chmod(0o555)
    return path


def run_bench(runs: int, oneshot_runs: int, warmup: int = 2) -> list[Row]:
    laptop = Laptop(debounce="60s", max_delay="120s")
    dest = Path(tempfile.mkdtemp(prefix="lgrd", dir="/tmp"))
    try:
        hook, command = install_hooks(dest, laptop)
        bare = [sys.executable, "-I", "-S", "-c", "pass"]
        bare_sh = [BASH, "-c", f"{sys.executable} -I -S -c pass"]
        via_exec = [str(hook), EVENT]
        via_sh = [BASH, "-c", command]
        via_run = [str(fast_exit_variant(hook)), EVENT]

        def one_shot(argv: list[str]) -> Timing:
            """The hook's held time; then wait for its detached one-shot to finish."""
            before, known = laptop.journal_len(), children()
            took = time_argv(argv)
            # Adopted by this process (a subreaper), the one-shot is waited for
            # here, after the clock stopped, so it cannot load the next sample.
            if reap_adopted(known) < 1:
                raise RuntimeError("the hook started no one-shot")
            if laptop.journal_len() <= before:
                raise RuntimeError("the one-shot reconciled nothing")
            return took

        with subreaper():
            alone = interleaved(
                oneshot_runs,
                {
                    "bare": lambda: time_argv(bare),
                    "bare_sh": lambda: time_argv(bare_sh),
                    "exec": lambda: one_shot(via_exec),
                    "sh": lambda: one_shot(via_sh),
                    "run": lambda: one_shot(via_run),
                },
                warmup=min(warmup, 1),
            )
        with daemon_on(laptop) as daemon:
            daemon.wait_quiet()
            accepted = daemon.status() or {}
            listening = interleaved(
                runs,
                {
                    "bare": lambda: time_argv(bare),
                    "bare_sh": lambda: time_argv(bare_sh),
                    "exec": lambda: time_argv(via_exec),
                    "sh": lambda: time_argv(via_sh),
                    "run": lambda: time_argv(via_run),
                },
                warmup,
            )
            # The status file is rewritten on SIGHUP (a reload, even unchanged).
            daemon.proc.send_signal(signal.SIGHUP)
            st = daemon.wait_status(
                "every hook message",
                lambda s: s["accepted"] - accepted.get("accepted", 0) == (runs + warmup) * 3,
            )
            if st["reconciles"] != accepted.get("reconciles"):
                raise RuntimeError("a reconcile ran while hooks were timed")
    finally:
        laptop.remove()
        shutil.rmtree(dest, ignore_errors=True)

    rows = []
    for label, results in [("daemon listening", listening), ("no daemon, one-shot", alone)]:
        for way, ref, how in [("exec", "bare", "exec"), ("sh", "bare_sh", "bash -c")]:
            (wall, cpu), (ref_wall, ref_cpu) = results[way], results[ref]
            r = ratio(wall, ref_wall)
            rows.append(
                Row(
                    "held",
                    f"hook ({how}), {label}",
                    wall.scaled(1000),
                    "ms",
                    f"python -I -S -c pass ({how})",
                    ref_wall.scaled(1000),
                    r,
                    ratio(cpu, ref_cpu),
                    f"<= {TARGET}x",
                    r <= TARGET,
                    extra={"cpu_ms": cpu.median * 1000, "ref_cpu_ms": ref_cpu.median * 1000},
                )
            )
    for row in rows[2:]:
        row.note = "the one-shot is detached (setsid); devd does not wait for it"
    for at, label, results in [(2, "daemon listening", listening), (5, "one-shot", alone)]:
        (wall, cpu), (ref_wall, ref_cpu) = results["run"], results["bare"]
        r = ratio(wall, ref_wall)
        rows.insert(
            at,
            Row(
                "held",
                f"hook (exec) ending in hookclient.run, {label}",
                wall.scaled(1000),
                "ms",
                "python -I -S -c pass (exec)",
                ref_wall.scaled(1000),
                r,
                ratio(cpu, ref_cpu),
                f"<= {TARGET}x",
                r <= TARGET,
                note="as the installed hooks do: run(...) skips the interpreter's tear-down",
                extra={"cpu_ms": cpu.median * 1000, "ref_cpu_ms": ref_cpu.median * 1000},
            ),
        )
    return rows
