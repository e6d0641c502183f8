"""The simulated host's devd: journal events, one at a time, through devd's rules to real programs.

FreeBSD's devd reads one event from /dev/devctl, runs the first rule that
matches it and waits for each of that rule's actions, run with ``/bin/sh -c``,
before it reads the next event (freebsd-src sbin/devd/devd.cc
``process_event``, ``config::find_and_execute``, ``my_system``); a slow action
holds every later event.  The simulator has one devd that does the same over
its journal and the configuration under DIR/root: ``/etc/devd.conf`` (the
stock rules of ``laggroam.devd.stockdevd``, with the scripts they name
re-rooted into the simulator, ``devdrules``) and whatever
``/usr/local/etc/devd/*.conf`` holds -- laggroam's snippet once
``install_laggroam`` ran.  Per event it records the rule, the commands, their
exit status and how long devd was held (``devdlog``).

devd runs from the host's boot on.  An operation hands its events over
itself while it holds the host when it can (``devdinline``); what is left,
``deliver`` hands over after it: every ``sim`` verb and every stand-in run
delivers the events it raised before it returns.
"""

import re
import sys
import time
from pathlib import Path

from laggroam.devd import chain, devdconf, devdmatch
from laggroam.devd.devdline import DevdLineError, parse_event
from laggroam_sim import binscripts, devdactions, journal, standin
from laggroam_sim.atomicfile import write_atomic
from laggroam_sim.devdlog import Delivery, delivered, devd_lock, read_log, set_delivered
from laggroam_sim.devdlog import log as _log_all
from laggroam_sim.devdrules import media_types, stock_config
from laggroam_sim.state import Sim, SimError, read_only

__all__ = [
    "Delivery", "deliver", "delivered", "idle", "inject", "install", "install_laggroam",
    "media_types", "pending", "read_log", "root_of", "start", "stock_config", "stop",
]  # fmt: skip

MAX_EVENTS = 500  # per deliver(): a rule that feeds itself events cannot loop for ever
# A directory name that can sit in a devd string and a shell word unquoted.
_SAFE_DIR = re.compile(r"[A-Za-z0-9_./+-]+")


def root_of(sim_dir: Path) -> Path:
    """The simulated host's ``/``."""
    return Path(sim_dir).resolve() / "root"


def _safe_root(sim_dir: Path) -> Path:
    root = root_of(sim_dir)
    if not _SAFE_DIR.fullmatch(str(root)):
        raise SimError(
            f"{root}: a simulator directory for devd must be named with [A-Za-z0-9_./+-]"
        )
    return root


def install(sim_dir: Path) -> None:
    """Give the simulated host its devd configuration and the scripts it runs."""
    root = _safe_root(sim_dir)
    state = read_only(sim_dir)
    for path, text in stock_config(root, state.release).items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
    (root / "usr/local/etc/devd").mkdir(parents=True, exist_ok=True)
    binscripts.install(sim_dir)


def start(sim_dir: Path) -> None:
    """``service devd restart``: devd reads its configuration again from the next delivery on.

    The kernel keeps the events no devd has read (sys/kern/subr_bus.c
    ``devctl_queue_data_f``, sys/kern/kern_devctl.c since 13.0: up to
    ``hw.bus.devctl_queue`` of them), so the next ``deliver`` hands over what
    happened while devd was stopped.
    """
    if not (root_of(sim_dir) / "etc/devd.conf").exists():
        install(sim_dir)
    with Sim.open(sim_dir) as sim:
        sim.state.devd = True
        sim.note("devd (re)started: it delivers the host's events through its configuration")


def stop(sim_dir: Path) -> None:
    """``service devd stop``: nobody takes the host's events until devd starts again."""
    with Sim.open(sim_dir) as sim:
        sim.state.devd = False
        sim.note("devd stopped: the host's events wait for the next devd")


def install_laggroam(sim_dir: Path, policy: Path | str | None) -> list[str]:
    """Install laggroam on the simulated host as a user would, then restart devd.

    The simulated host's ``/usr/local`` is ``DIR/root/usr/local``, so laggroam
    is installed with that prefix and no DESTDIR: the files land there and the
    paths written into them (hooks, devd snippet) are the ones that exist.
    ``policy`` is a file to copy, or the policy's text; it is checked before
    anything is written, so a bad one leaves an installed policy alone.  With
    None only the sample is installed, as a package does.
    """
    from laggroam.admin import install as installer
    from laggroam.config import policy as policies
    from laggroam.config.layout import Layout

    sim_dir = Path(sim_dir).resolve()
    root = _safe_root(sim_dir)
    try:
        text = policy.read_text(encoding="utf-8") if isinstance(policy, Path) else policy
    except OSError as exc:
        raise SimError(f"{policy}: {exc.strerror or exc}") from None
    target = root / "usr/local/etc/laggroam/laggroam.ini"
    if text is not None:
        try:
            # what "laggroam check" would say: about the file given, or where text would go
            policies.loads(text, str(policy if isinstance(policy, Path) else target))
        except policies.PolicyErrors as exc:
            raise SimError(str(exc.errors[0])) from None
    layout = Layout(f"{root}/usr/local")
    values = installer.substitutions(
        layout,
        python=sys.executable,
        sitelib=str(installer.SOURCE),
        socket=str(root / "var/run/laggroam.sock"),
        laggroam=str(binscripts.command_path(sim_dir)),
    )
    try:
        written = installer.install(Path("/"), layout, values)
    except installer.InstallError as exc:
        raise SimError(str(exc)) from None
    written.append(str(binscripts.install_command(sim_dir)))
    if text is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
        written = [*written, str(target)]
    (root / "var/run").mkdir(parents=True, exist_ok=True)
    start(sim_dir)
    return written


def inject(sim_dir: Path, line: str) -> None:
    """Put a raw line into /dev/devctl's stream, as if the kernel had sent it."""
    if "\n" in line or "\0" in line:
        raise SimError("a devd event is one line")
    with Sim.open(sim_dir) as sim:
        sim.emit(line)


# --- delivering -------------------------------------------------------------


def pending(sim_dir: Path) -> int:
    """How many journal events devd has not taken yet."""
    return len(journal.read(Path(sim_dir), delivered(sim_dir)))


def idle(sim_dir: Path) -> bool:
    """No delivery is under way and no event waits for a running devd (a stopped
    devd's events wait for the next one: nothing happens to them meanwhile)."""
    with devd_lock(Path(sim_dir)) as got:
        return got and (pending(sim_dir) == 0 or not read_only(sim_dir).devd)


def deliver(sim_dir: Path, *, limit: int = MAX_EVENTS) -> list[Delivery]:
    """Deliver every pending event, in order, including those the actions raise.

    Only one delivery runs at a time (``DIR/devd.lock``); a caller that finds
    one under way returns at once, and the one under way looks at the journal
    again after it lets go of the lock, so no event is left behind.  A stopped
    devd delivers nothing.
    """
    sim_dir = Path(sim_dir)
    done: list[Delivery] = []
    while len(done) < limit:
        with devd_lock(sim_dir) as got:
            if not got or not read_only(sim_dir).devd:
                return done
            config: devdconf.Config | str | None = None  # read once there is an event
            while len(done) < limit:
                events = journal.read(sim_dir, delivered(sim_dir))
                if not events:
                    break
                if config is None:
                    config = _load_config(sim_dir)
                one = _deliver_one(sim_dir, config, events[0])
                set_delivered(sim_dir, one.seq)
                _log_all(sim_dir, [one])
                done.append(one)
        if pending(sim_dir) == 0:
            return done
    if pending(sim_dir) == 0:
        return done
    with Sim.open(sim_dir) as sim:
        sim.note(f"warning: devd stopped after {limit} events in one delivery")
    return done


def _load_config(sim_dir: Path) -> devdconf.Config | str:
    try:
        return chain.load(root_of(sim_dir))
    except (devdconf.DevdConfError, OSError) as exc:
        return str(exc)  # a real devd dies on a bad configuration; this one says why


def _deliver_one(sim_dir: Path, config: devdconf.Config | str, event: journal.Event) -> Delivery:
    started, clock = time.time(), time.monotonic()
    if isinstance(config, str):
        return Delivery(event.seq, event.line, None, (), (), 0.0, started, error=config)
    try:
        devd_event = parse_event(event.line)
    except DevdLineError as exc:
        held = time.monotonic() - clock
        return Delivery(event.seq, event.line, None, (), (), held, started, error=exc.message)
    rule = devdmatch.find_rule(config, devd_event, media_types(read_only(sim_dir)))
    if rule is None:
        return Delivery(event.seq, event.line, None, (), (), time.monotonic() - clock, started)
    commands = devdmatch.rule_commands(config, rule, devd_event)
    statuses, output = [], ""
    for command in commands:
        status, text = _run_action(sim_dir, command)
        statuses.append(status)
        output += text
    held = time.monotonic() - clock
    return Delivery(
        event.seq, event.line, rule.where, commands, tuple(statuses), held, started, output
    )


def _run_action(sim_dir: Path, command: str) -> tuple[int | None, str]:
    """One action from outside the host's lock: a stand-in in this process, else the shell."""
    found = devdactions.standin(command, sim_dir)
    if found is None:
        return devdactions.shell(sim_dir, command)
    try:
        done = standin.execute(found[0], found[1], Path(sim_dir))
    except SimError as exc:
        return 70, f"{found[0]}: simulator: {exc}\n"
    return done.status, done.out + done.err
