"""The simulated laptop of the demo and the scenarios: laggroam installed on it, and one step.

:class:`Story` builds the handbook's laptop, installs laggroam as a user
installs it, runs the daemon, and tells one step: a world change, what devd
delivered, what laggroam decided and why, and where the host ended up.  The
demo's tale (``demo``) and the scenario tests (tests/scenarios) both drive it.
"""

import contextlib
import io
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from laggroam.admin.install import shipped
from laggroam.config import policy as policy_mod
from laggroam.core.host import Host
from laggroam.edge.reconcile import observe_for
from laggroam.edge.store import Store
from laggroam_sim import cli as sim_cli
from laggroam_sim import devd as sim_devd
from laggroam_sim import inprocess, settled

SAMPLE = shipped() / "conf" / "laggroam.ini.sample"  # the package's, installed or not
WAIT = 20.0
# How often a wait looks again.  A look is a few stat(2)s, the status file
# and the policy (about 1 ms; a plan only when they changed), so looking
# often costs little, and each step ends within a look of its condition.
LOOK = 0.02
JOURNAL_WINDOW = 10_000
HANDBOOK_MAC = "20:0d:b0:c4:ab:59"  # the simulated iwn0's, so wlan0's
# Shorter timers than the sample's, so that its timers take seconds; the
# demo says so when it starts.
# stuck_after counts from laggroam's first sight of the unassociated
# supplicant (plan.py supplicant), so the step-5 reconcile that sees it never
# restarts it: the restart comes on the timer, in step 6.
DEMO_TIMERS = {"stuck_after": "1s"}
DEMO_DAEMON = "[daemon]\ndebounce = 100ms\nmax_delay = 1s\nlog = stderr\n\n"


class DemoFailed(Exception):
    """A step did not reach its expected state."""


@dataclass
class Journal:
    """What happened, step by step, for the summary and ``--json``."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    held: list[float] = field(default_factory=list)
    events: int = 0


class Style:
    """Bold titles and green verdicts on a terminal; plain text elsewhere."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def title(self, text: str) -> str:
        return f"\033[1m{text}\033[0m" if self.tty else text

    def ok(self, text: str) -> str:
        return f"\033[32m{text}\033[0m" if self.tty else text


def sample_policy() -> str:
    """The sample policy the package ships, with the demo's short timers and daemon section."""
    text = SAMPLE.read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        key = line.split("=", 1)[0].strip()
        active = key in DEMO_TIMERS and not line.lstrip().startswith(("#", ";"))
        lines.append(f"{key} = {DEMO_TIMERS[key]}" if active else line)
    return DEMO_DAEMON + "\n".join(lines) + "\n"


def wait_for(what: str, probe: Callable[[], bool], timeout: float = WAIT) -> None:
    """Look until ``probe`` holds; DemoFailed naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() >= deadline:
            raise DemoFailed(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(LOOK)


class Story:
    """The simulated laptop, laggroam on it, and the running daemon."""

    def __init__(self, sim_dir: Path, out: Callable[[str], None], style: Style) -> None:
        self.dir = sim_dir
        self.root = sim_dir / "root"
        self.out = out
        self.style = style
        self.policy_path = self.root / "usr/local/etc/laggroam/laggroam.ini"
        self.journal = Journal()
        self.system = inprocess.system(sim_dir)
        self._policy: policy_mod.Policy | None = None
        self.daemon: subprocess.Popen[bytes] | None = None
        self.seen_records = 0
        # Observing is asked again only when the host or the policy changed
        # (settled.stamp): the waits poll often.
        self._observed: tuple[settled.Stamp, Host] | None = None
        self.settled = settled.Settled(
            sim_dir, self.policy_path, policy=lambda: self.policy, system=self.system
        )

    # -- plumbing ----------------------------------------------------------

    def sim(self, *argv: str) -> str:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            code = sim_cli.main(list(argv), self.dir)
        if code != 0:
            raise DemoFailed(f"sim {' '.join(argv)}: exit {code}: {buf.getvalue().strip()}")
        return buf.getvalue()

    @property
    def policy(self) -> policy_mod.Policy:
        """The policy in force: like the daemon, the last one that loaded."""
        try:
            self._policy = policy_mod.load(self.policy_path)
        except policy_mod.PolicyErrors:
            if self._policy is None:
                raise
        return self._policy

    @property
    def store(self) -> Store:
        return self._store_of(self.policy)

    def _store_of(self, pol: policy_mod.Policy) -> Store:
        return Store(self.root / pol.daemon.state_dir.lstrip("/"))

    def daemon_status(self, store: Store | None = None) -> dict[str, Any]:
        try:
            data = json.loads(((store or self.store).dir / "daemon.json").read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def observe(self) -> Host:
        key = settled.stamp(self.dir / "state.json", self.policy_path)
        if self._observed is not None and self._observed[0] == key:
            return self._observed[1]
        host = observe_for(self.system, self.policy)
        self._observed = (key, host)
        return host

    def converged(self) -> bool:
        """The host has settled (``settled.Settled``): nothing pending anywhere."""
        return not self.settled.look()

    def start(
        self,
        policy_text: str | None = None,
        *,
        daemon: bool = True,
        init: tuple[str, ...] = (),
    ) -> None:
        """Build the laptop, install laggroam as a user would, start the daemon."""
        # The handbook's laptop: the wired port wears the wireless MAC
        # (freebsd-doc advanced-networking, "Failover Mode Between Ethernet
        # and Wireless Interfaces"), as the sample's ether = wlan0 also wants.
        self.sim("init", "laptop", "--rc", f"ifconfig_em0=ether {HANDBOOK_MAC} up", *init)
        self.install(policy_text, daemon=daemon)

    def install(self, policy_text: str | None = None, *, daemon: bool = True) -> None:
        installed = sim_devd.install_laggroam(self.dir, policy_text or sample_policy())
        self.out("installed laggroam as a user would:")
        for path in installed:
            self.out(f"  {path.replace(str(self.root), '')}")
        self.seen_records = len(self.store.read_journal(last=JOURNAL_WINDOW))
        if daemon:
            self.start_daemon()

    def start_daemon(self) -> None:
        log = open(self.dir / "daemon.log", "ab")  # noqa: SIM115 - lives as long as the daemon
        self.daemon = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "laggroam",
                "-c",
                str(self.policy_path),
                "--sim",
                str(self.dir),
                "daemon",
                "-f",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        pid = self.daemon.pid
        wait_for(
            "the daemon's first reconcile",
            lambda: (
                self.daemon_status().get("pid") == pid
                and self.daemon_status().get("reconciles", 0) > 0
            ),
        )
        self.out(f"daemon running (pid {pid}); devd restarted with laggroam's rules")

    def stop(self) -> None:
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()

    # -- one step ----------------------------------------------------------

    def step(
        self,
        n: int,
        title: str,
        world: list[list[str]],
        expect: Callable[[Host], str | None],
        *,
        settle: bool = False,
    ) -> Host:
        """One world change and its consequences; with ``settle``, wait until
        ``expect`` holds (for what laggroam does later, on a timer)."""
        self.out("")
        self.out(self.style.title(f"{n}. {title}"))
        self.settled.mark()
        for argv in world:
            self.out(f"   world: {' '.join(argv)}")
            seen = len(sim_devd.read_log(self.dir))
            self.sim(*argv)
            sim_devd.deliver(self.dir)  # the sim delivers as it goes; this drains the rest
            for d in sim_devd.read_log(self.dir)[seen:]:
                self.journal.events += 1
                self.journal.held.append(d.held)
                where = d.rule.replace(str(self.root), "") if d.rule else "no rule"
                self.out(f"   devd:  {d.line}")
                self.out(f"          -> {where}, devd held {d.held * 1000:.0f} ms")
        wait_for(f"the host to converge after '{title}'", self.converged)
        if settle:
            wait_for(f"'{title}'", lambda: self.converged() and expect(self.observe()) is None)
        accepted, sent = self.settled.taken()
        if sent:
            # the proof that the hooks' messages reached the daemon: its count
            self.out(f"   laggroam: the daemon took {accepted} of the hooks' {sent} message(s)")
        if accepted != sent:
            raise DemoFailed(f"step {n}: the daemon took {accepted} of {sent} hook messages")
        self._decisions()
        host = self.observe()
        self.out(f"   state: {self._state(host)}")
        problem = expect(host)
        record = {"step": n, "title": title, "state": self._state(host), "ok": problem is None}
        self.journal.steps.append(record)
        if problem is not None:
            raise DemoFailed(f"step {n} ({title}): {problem}")
        self.out("   " + self.style.ok("ok: reached the expected state"))
        addr = address_of(host)
        if addr and (not self.journal.addresses or self.journal.addresses[-1] != addr):
            self.journal.addresses.append(addr)
        return host

    def _decisions(self) -> None:
        records = self.store.read_journal(last=JOURNAL_WINDOW)
        new = records[self.seen_records :] if len(records) >= self.seen_records else records
        self.seen_records = len(records)
        acted = [r for r in new if r.get("actions")]
        if not acted:
            self.out("   laggroam: nothing to do")
        for record in acted:
            events = ", ".join(record.get("events", [])) or "no event: start, timer or reload"
            self.out(f"   laggroam: reconcile {record.get('id')} ({events}):")
            for action in record.get("actions", []):
                mark = "done" if action.get("ok") else f"FAILED: {action.get('detail')}"
                self.out(f"     {action.get('command')}  [{mark}]")
                self.out(f"       because {action.get('reason')}")

    @staticmethod
    def _state(host: Host) -> str:
        lagg = host.get("lagg0")
        if lagg is None or lagg.lagg is None:
            return "no lagg0"
        wlan = host.get("wlan0")
        sup = host.wpa.get("wlan0")
        wifi = "wlan0 missing"
        if wlan is not None:
            wifi = f"wlan0 {wlan.status}" + (f" to {wlan.ssid}" if wlan.has_link else "")
            if sup is not None:
                wifi += f", wpa_supplicant {sup.state or ('running' if sup.running else 'down')}"
        active = f"active {lagg.lagg.active}" if lagg.lagg.active else "no active port"
        return (
            f"lagg0 ports {','.join(lagg.lagg.port_names)} primary {lagg.lagg.primary}"
            f" {active} | {address_of(host) or 'no address'} | {wifi}"
        )


def run_laggroam(
    story: Story,
    *args: str,
    show: int = 40,
    expect: int = 0,
    cwd: Path | None = None,
    on_host: bool = True,
) -> str:
    """Run ``laggroam ARGS`` as a user would and show its output, in words that can be pasted.

    ``cwd``: run there (the administrator's own directory, for relative file
    names); ``on_host=False``: outside the simulated host (no ``--sim``).
    """
    sim = ["--sim", str(story.dir)] if on_host else []
    argv = [sys.executable, "-m", "laggroam", *sim, *args]
    shown = shlex.join(a.replace(str(story.root), "") for a in args)
    story.out(f"   $ laggroam {shown}")
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False, cwd=cwd)
    text = (proc.stdout + proc.stderr).replace(str(story.root), "").rstrip("\n")
    lines = text.splitlines() if text else ["(no output)"]
    if len(lines) > show:
        story.out(f"     ... ({len(lines) - show} lines above not shown)")
        lines = lines[-show:]
    for line in lines:
        story.out(f"     {line}")
    if proc.returncode != expect:
        raise DemoFailed(f"laggroam {shown}: exit {proc.returncode}, expected {expect}")
    return text


def address_of(host: Host) -> str | None:
    lagg = host.get("lagg0")
    return lagg.inet[0] if lagg is not None and lagg.inet else None
