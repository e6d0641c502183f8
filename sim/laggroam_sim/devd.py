"""The simulated host's devd: journal events, one at a time, through devd's rules to real programs.

FreeBSD's devd reads one event from /dev/devctl, runs the first rule that
matches it and waits for each of that rule's actions, run with ``/bin/sh -c``,
before it reads the next event (freebsd-src sbin/devd/devd.cc
``process_event``, ``config::find_and_execute``, ``my_system``); a slow action
holds every later event.  This module does the same over the simulator's
journal and its configuration under DIR/root: ``/etc/devd.conf`` (the stock
rules of ``laggroam.devd.stockdevd``, with the scripts they name re-rooted into the
simulator) and whatever ``/usr/local/etc/devd/*.conf`` holds -- laggroam's
snippet once ``install_laggroam`` ran.  Per event it records the rule, the
commands, their exit status and how long devd was held (``DIR/devd.log``).

While the simulated devd is in charge (``state.devd``) the simulator no longer
plays the stock rules itself; every ``sim`` verb and every stand-in run
delivers the events it raised before it returns.
"""

import contextlib
import errno
import fcntl
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from laggroam.devd import chain, devdconf, devdmatch, stockdevd
from laggroam.devd.devdline import DevdLineError, parse_event
from laggroam_sim import journal, standin
from laggroam_sim.model import SimState
from laggroam_sim.state import Sim, SimError, read_only, write_atomic

DELIVERED = "devd.delivered"
LOG = "devd.log"
LOCK = "devd.lock"
ACTION_TIMEOUT = 60.0
MAX_EVENTS = 500  # per deliver(): a rule that feeds itself events cannot loop for ever
OUTPUT_MAX = 4096
# The scripts the stock rules run by absolute path (freebsd-src sbin/devd/devd.conf).
STOCK_SCRIPTS = ("/etc/pccard_ether", "/etc/rc.resume", "/etc/rc.suspend")
# A directory name that can sit in a devd string and a shell word unquoted.
_SAFE_DIR = re.compile(r"[A-Za-z0-9_./+-]+")


@dataclass(frozen=True, slots=True)
class Delivery:
    """What devd did with one event."""

    seq: int
    line: str
    rule: str | None  # FILE:LINE of the rule run, None when no rule matched
    commands: tuple[str, ...]
    statuses: tuple[int | None, ...]  # None: did not finish (timeout, not started)
    held: float  # seconds devd spent on this event before reading the next one
    started: float  # wall clock (time.time()) when devd took the event
    output: str = ""  # what the actions wrote (devd itself gives them /dev/null)
    error: str | None = None  # why the line was not an event

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "Delivery":
        return cls(
            seq=int(str(data["seq"])),
            line=str(data["line"]),
            rule=None if data.get("rule") is None else str(data["rule"]),
            commands=tuple(str(c) for c in _list(data.get("commands"))),
            statuses=tuple(None if s is None else int(str(s)) for s in _list(data.get("statuses"))),
            held=float(str(data["held"])),
            started=float(str(data["started"])),
            output=str(data.get("output", "")),
            error=None if data.get("error") is None else str(data["error"]),
        )

    def describe(self) -> str:
        """A few lines for ``laggroam sim devd``."""
        lines = [f"devd: {self.seq} {self.line}"]
        if self.error is not None:
            lines.append(f"  not an event: {self.error}")
        elif self.rule is None:
            lines.append("  no rule matches")
        else:
            lines.append(f"  rule {self.rule}")
        for command, status in zip(self.commands, self.statuses, strict=True):
            lines.append(f"  $ {command}")
            lines.append(f"    {'did not finish' if status is None else f'exit {status}'}")
        lines.extend(f"  | {text}" for text in self.output.splitlines())
        lines.append(f"  devd held {self.held * 1000:.0f} ms")
        return "\n".join(lines)


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


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


def stock_config(root: Path, release: str) -> dict[str, str]:
    """Path under ``root`` -> text of the stock devd configuration for ``release``.

    15.x carries the dhclient rules in /etc/devd/dhclient.conf, 14.x and older
    in /etc/devd.conf (reference section 2; freebsd-src sbin/devd/dhclient.conf).
    The scripts the rules run by absolute path are the simulator's; ``service``
    stays bare and is found on devd's PATH, as on FreeBSD.
    """
    layout = "15" if release.startswith("15.") else "14"
    files = {}
    for path, stock in stockdevd.stock_files(layout).items():
        text = stock if _major(release) >= 14 else _before_14(stock)
        for script in STOCK_SCRIPTS:
            text = text.replace(f'action "{script} ', f'action "{root}{script} ')
        files[path] = text
    return files


def _major(release: str) -> int:
    head = release.split(".", 1)[0]
    return int(head) if head.isdigit() else 15


def _before_14(text: str) -> str:
    """The stock devd.conf up to 13.x: the IFNET ATTACH rule excludes only
    usbus (so ``pccard_ether wlan0 start`` runs on a wlan ATTACH) and the wifi
    driver list lacks the LinuxKPI/rtw88 drivers iwlwifi and rtw (freebsd-src
    sbin/devd/devd.conf, older versions; reference section 0)."""
    text = text.replace('"!(usbus|wlan)[0-9]+"', '"!usbus[0-9]+"')
    return text.replace("iwlwifi|", "").replace("rsu|rtw|", "rsu|")


def install(sim_dir: Path) -> None:
    """Give the simulated host its devd configuration and the scripts it runs."""
    root = _safe_root(sim_dir)
    state = read_only(sim_dir)
    for path, text in stock_config(root, state.release).items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
    (root / "usr/local/etc/devd").mkdir(parents=True, exist_ok=True)
    standin.install(sim_dir)


def start(sim_dir: Path) -> None:
    """``service devd restart``: the simulated devd takes charge from the next event on.

    The events already in the journal were handled when they happened (by the
    simulator's own play of the stock rules, or by an earlier devd).
    """
    if not (root_of(sim_dir) / "etc/devd.conf").exists():
        install(sim_dir)
    with Sim.open(sim_dir) as sim:
        sim.state.devd = True
        sim.state.stock_devd = False
        _set_delivered(sim_dir, sim.state.next_seq - 1)
        sim.note("devd (re)started: the simulated devd delivers events from now on")


def stop(sim_dir: Path) -> None:
    """``service devd stop``: the simulator plays the stock rules itself again."""
    with Sim.open(sim_dir) as sim:
        sim.state.devd = False
        sim.state.stock_devd = True
        sim.note("devd stopped: the simulator plays devd's stock rules itself")


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
        laggroam=str(standin.command_path(sim_dir)),
    )
    try:
        written = installer.install(Path("/"), layout, values)
    except installer.InstallError as exc:
        raise SimError(str(exc)) from None
    written.append(str(standin.install_command(sim_dir)))
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


def delivered(sim_dir: Path) -> int:
    """The sequence number of the last event devd has taken (0: none)."""
    try:
        text = (Path(sim_dir) / DELIVERED).read_text().strip()
    except FileNotFoundError:
        return 0
    return int(text) if text.isdigit() else 0


def _set_delivered(sim_dir: Path, seq: int) -> None:
    write_atomic(Path(sim_dir) / DELIVERED, f"{seq}\n")


def pending(sim_dir: Path) -> int:
    """How many journal events devd has not taken yet."""
    return len(journal.read(Path(sim_dir), delivered(sim_dir)))


def idle(sim_dir: Path) -> bool:
    """No event waits and no delivery is under way."""
    with _devd_lock(Path(sim_dir)) as got:
        return got and pending(sim_dir) == 0


def deliver(sim_dir: Path, *, limit: int = MAX_EVENTS) -> list[Delivery]:
    """Deliver every pending event, in order, including those the actions raise.

    Only one delivery runs at a time (``DIR/devd.lock``); a caller that finds
    one under way returns at once, and the one under way looks at the journal
    again after it lets go of the lock, so no event is left behind.
    """
    sim_dir = Path(sim_dir)
    done: list[Delivery] = []
    while len(done) < limit:
        with _devd_lock(sim_dir) as got:
            if not got:
                return done
            config = _load_config(sim_dir)
            while len(done) < limit:
                events = journal.read(sim_dir, delivered(sim_dir))
                if not events:
                    break
                one = _deliver_one(sim_dir, config, events[0])
                _set_delivered(sim_dir, one.seq)
                _log(sim_dir, one)
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
        status, text = run_action(sim_dir, command)
        statuses.append(status)
        output += text
    held = time.monotonic() - clock
    return Delivery(
        event.seq, event.line, rule.where, commands, tuple(statuses), held, started, output
    )


def media_types(state: SimState) -> Callable[[str], str | None]:
    """What devd's ``media-type`` sees on each simulated interface.

    devd.cc ``media::do_match`` asks SIOCGIFMEDIA for the IFM_TYPE: Ethernet for
    em(4) and lagg(4), IEEE 802.11 for a net80211 vap; lo0 has no media and a
    gone interface answers nothing.
    """
    kinds = {"ether": "Ethernet", "lagg": "Ethernet", "wlan": "802.11"}

    def media_of(ifname: str) -> str | None:
        iface = state.interfaces.get(ifname)
        return None if iface is None else kinds.get(iface.kind)

    return media_of


def run_action(sim_dir: Path, command: str) -> tuple[int | None, str]:
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


def _log(sim_dir: Path, one: Delivery) -> None:
    with open(Path(sim_dir) / LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps(one.to_json()) + "\n")


def read_log(sim_dir: Path) -> list[Delivery]:
    """Every delivery recorded in ``DIR/devd.log``, oldest first."""
    try:
        text = (Path(sim_dir) / LOG).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    found = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError, KeyError, TypeError):
            data = json.loads(line)
            if isinstance(data, dict):
                found.append(Delivery.from_json(data))
    return found


@contextlib.contextmanager
def _devd_lock(sim_dir: Path) -> Iterator[bool]:
    """The one-delivery-at-a-time lock; yields False when a delivery is under way."""
    fd = os.open(Path(sim_dir) / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            yield False
            return
        yield True
    finally:
        os.close(fd)
