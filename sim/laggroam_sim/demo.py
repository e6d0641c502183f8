"""``laggroam-sim demo``: the roaming story, told on a simulated FreeBSD laptop.

The laptop is built as the handbook's rc.conf would build it, laggroam is
installed as a user installs it (devd snippet, hooks, the sample policy, the
daemon), and every step is a world change followed by what devd delivered,
what laggroam decided and why, and where the host ended up.  The demo exits
0 only when every step reached the state it expects.
"""

import contextlib
import io
import ipaddress
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from laggroam.admin.install import shipped
from laggroam.config import policy as policy_mod
from laggroam.core.host import Host
from laggroam.edge.reconcile import observe_for
from laggroam.edge.store import Store
from laggroam.exitcodes import EX_OK
from laggroam_sim import cli as sim_cli
from laggroam_sim import devd as sim_devd
from laggroam_sim import inprocess, ipv6demo, settled
from laggroam_sim.state import SimError, read_only

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
# The hold step 9 saves.  It counts from laggroam's first sight of em0's link
# (plan.py _failback_hold), so the reconcile that sees the plug never ends it:
# em0 rejoins on the timer however loaded the machine, in step 11.
DEMO_FAILBACK_HOLD = "1s"
DEMO_DAEMON = "[daemon]\ndebounce = 100ms\nmax_delay = 1s\nlog = stderr\n\n"


EX_SOFTWARE = 70  # sysexits.h: the story did not come out as it should


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
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def title(self, text: str) -> str:
        return f"\033[1m{text}\033[0m" if self.tty else text

    def ok(self, text: str) -> str:
        return f"\033[32m{text}\033[0m" if self.tty else text


def _policy_text() -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        key = line.split("=", 1)[0].strip()
        active = key in DEMO_TIMERS and not line.lstrip().startswith(("#", ";"))
        lines.append(f"{key} = {DEMO_TIMERS[key]}" if active else line)
    return DEMO_DAEMON + "\n".join(lines) + "\n"


def _wait(what: str, probe: Callable[[], bool], timeout: float = WAIT) -> None:
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
        installed = sim_devd.install_laggroam(self.dir, policy_text or _policy_text())
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
        _wait(
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
        _wait(f"the host to converge after '{title}'", self.converged)
        if settle:
            _wait(f"'{title}'", lambda: self.converged() and expect(self.observe()) is None)
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
        addr = _address(host)
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
            f" {active} | {_address(host) or 'no address'} | {wifi}"
        )


def _command(
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


OLD_RC_CONF = (
    'ifconfig_nfe0="DHCP"\n'
    'ifconfig_ndis0="WPA DHCP"\n'
    'cloned_interfaces="lagg0"\n'
    'ifconfig_lagg0="laggproto failover laggport ndis0 laggport nfe0 DHCP"\n'
)


def _from_rc_conf(story: Story) -> None:
    story.out("")
    story.out(story.style.title("0. From rc.conf to a policy"))
    story.out("   An older laptop's rc.conf (FreeBSD 7: nfe0 wired, ndis0 wireless), copied to a")
    story.out("   directory of the administrator's; the rest of the story is a current laptop:")
    story.out("   em0 wired, wlan0 on the iwn0 radio.")
    work = story.dir / "admin"
    work.mkdir(exist_ok=True)
    (work / "rc.conf").write_text(OLD_RC_CONF)
    for line in OLD_RC_CONF.splitlines():
        story.out(f"   {line}")
    text = _command(
        story, "init", "--from-rc-conf", "rc.conf", "-o", "laggroam.ini", cwd=work, on_host=False
    )
    if "DHCP on nfe0" not in text or "wireless ndis0 before the wired nfe0" not in text:
        raise DemoFailed("init --from-rc-conf did not report DHCP on a port and the port order")
    _command(story, "check", "-c", "laggroam.ini", cwd=work, on_host=False)
    story.out("   (the policy is written with nfe0 first and is valid; on the laptop itself")
    story.out("    laggroam check also compares the interfaces it names with the host's)")


def _plan_and_apply(story: Story) -> None:
    """Before laggroam is installed: a driver reload, repaired by hand with plan and apply."""
    story.out("")
    story.out(story.style.title("A. Without laggroam's hooks: a driver reload, plan and apply"))
    work = story.dir / "admin"
    (work / "policy.ini").write_text(_policy_text())
    story.sim("detach", "iwn0")
    story.sim("attach", "iwn0")
    story.out(
        "   world: detach, attach iwn0 (a driver reload) -- wlan0 is re-created and silently"
        " left out of lagg0"
    )
    text = _command(story, "-c", "policy.ini", "plan", cwd=work)
    if "laggport wlan0" not in text:
        raise DemoFailed("plan did not propose re-adding wlan0")
    _command(story, "-c", "policy.ini", "apply", cwd=work)
    text = _command(story, "-c", "policy.ini", "plan", cwd=work)
    if not text.startswith("nothing to do"):
        raise DemoFailed("the host did not converge after apply")


def _address(host: Host) -> str | None:
    lagg = host.get("lagg0")
    return lagg.inet[0] if lagg is not None and lagg.inet else None


def _in(host: Host, subnet: str) -> bool:
    addr = _address(host)
    return addr is not None and ipaddress.ip_interface(addr) in ipaddress.ip_network(subnet)


def _traffic_on(port: str, subnet: str) -> Callable[[Host], str | None]:
    """lagg0 carries traffic on ``port`` with an address in ``subnet``."""

    def check(host: Host) -> str | None:
        lagg = host.get("lagg0")
        if lagg is None or lagg.lagg is None:
            return "lagg0 is missing"
        if lagg.lagg.active != port:
            return f"traffic is on {lagg.lagg.active}, not {port}"
        if not _in(host, subnet):
            return f"address {_address(host)} is not in {subnet}"
        return None

    return check


def _expect_active(port: str, subnet: str, keep: str | None = None) -> Callable[[Host], str | None]:
    """As ``_traffic_on``, with both ports in lagg0, em0 primary, and the address ``keep``."""
    traffic = _traffic_on(port, subnet)

    def check(host: Host) -> str | None:
        problem = traffic(host)
        if problem is not None:
            return problem
        lagg = host.get("lagg0")
        if lagg is None or lagg.lagg is None:
            return "lagg0 is missing"
        if lagg.lagg.primary != "em0":
            return f"primary is {lagg.lagg.primary}, not em0"
        if set(lagg.lagg.port_names) != {"em0", "wlan0"}:
            return f"lagg0 ports are {lagg.lagg.port_names}"
        if keep is not None and _address(host) != keep:
            return f"address changed from {keep} to {_address(host)}"
        return None

    return check


def _all(*checks: Callable[[Host], str | None]) -> Callable[[Host], str | None]:
    def check(host: Host) -> str | None:
        return next((p for c in checks if (p := c(host)) is not None), None)

    return check


def _same_wlan0(story: Story, index: int) -> Callable[[Host], str | None]:
    """wlan0 is the ifnet it was (iwn_suspend/iwn_resume, sys/dev/iwn/if_iwn.c)."""

    def check(host: Host) -> str | None:
        iface = read_only(story.dir).interfaces.get("wlan0")
        return None if iface is not None and iface.index == index else "wlan0 was re-created"

    return check


def _new_wlan0(story: Story, index: int) -> Callable[[Host], str | None]:
    def check(host: Host) -> str | None:
        iface = read_only(story.dir).interfaces.get("wlan0")
        return None if iface is not None and iface.index != index else "wlan0 is the old one"

    return check


def _tell(story: Story) -> None:
    home, cafe = "192.168.1.0/24", "10.20.30.0/24"
    host = story.step(1, "Boot with the cable in", [], _expect_active("em0", home))
    addr = _address(host)
    story.step(
        2,
        "Unplug the cable: traffic moves to Wi-Fi, same address",
        [["unplug", "em0"]],
        _expect_active("wlan0", home, addr),
    )
    story.out("   what devd does with such an event, and what laggroam chains to:")
    text = _command(story, "devd", "explain", "!system=IFNET subsystem=em0 type=LINK_UP", show=8)
    if "service dhclient quietstart" not in text:
        raise DemoFailed("devd explain did not show the stock rule laggroam chains to")
    index = read_only(story.dir).interfaces["wlan0"].index
    story.step(
        3,
        "Suspend and resume: iwn resumes wlan0 in place; it re-associates, still in lagg0",
        [["suspend"], ["resume"]],
        _all(_expect_active("wlan0", home, addr), _same_wlan0(story, index)),
    )
    story.step(
        4,
        "The radio's driver is reloaded: wlan0 is re-created and must rejoin lagg0",
        [["detach", "iwn0"], ["attach", "iwn0"]],
        _all(_expect_active("wlan0", home, addr), _new_wlan0(story, index)),
    )
    story.step(
        5,
        "The access point goes away and wpa_supplicant gets stuck",
        [["ap", "home", "off"], ["wpa", "hang", "wlan0"], ["ap", "home", "on"]],
        lambda h: None,
    )
    story.out("   (wpa_supplicant is stuck: laggroam restarts it after stuck_after)")
    story.step(
        6,
        "...laggroam restarts wpa_supplicant; Wi-Fi is back, same address",
        [],
        _expect_active("wlan0", home, addr),
        settle=True,
    )
    story.step(
        7,
        "Plug the cable back in: traffic returns to em0, same address",
        [["plug", "em0"]],
        _expect_active("em0", home, addr),
    )
    story.step(
        8,
        "Roam: unplug and walk to the cafe, another network: new IPv4 and IPv6 addresses,"
        " nothing left of home's IPv6",
        [["unplug", "em0"], ["roam", "cafe"]],
        _all(_expect_active("wlan0", cafe), ipv6demo.expect_prefix(ipv6demo.CAFE6)),
    )
    _edit_policy(story)


def _edit_policy(story: Story) -> None:
    story.out("")
    story.out(story.style.title("9. Edit the policy: a save takes effect, a typo is refused"))
    generation = story.daemon_status().get("generation", 0)
    text = story.policy_path.read_text()
    good = text.replace("failback_hold = 0s", f"failback_hold = {DEMO_FAILBACK_HOLD}")
    _save(story.policy_path, good)
    story.out(
        f"   saved: failback_hold = {DEMO_FAILBACK_HOLD}"
        " (written to a temporary file, renamed over)"
    )
    _wait(
        "the daemon to load the new policy",
        lambda: story.daemon_status().get("generation", 0) > generation,
    )
    story.out(
        f"   laggroam: policy reloaded (generation {story.daemon_status().get('generation')})"
    )
    _save(story.policy_path, good.replace("renew_dhcp", "renew_dchp"))
    story.out("   saved: a typo, renew_dchp")
    _wait("the daemon to reject the typo", lambda: bool(story.daemon_status().get("rejected")))
    for line in story.daemon_status()["rejected"]:
        story.out(f"   laggroam: rejected: {line.replace(str(story.root), '')}")
    home = "192.168.1.0/24"
    story.step(
        10,
        "Walk home: Wi-Fi joins the home network again, and a lease of the home network;"
        " with failback_hold the unplugged em0 waits outside lagg0",
        [["roam", "home"]],
        _traffic_on("wlan0", home),
    )
    story.step(
        11,
        "The last good policy keeps working: plug the cable in; with failback_hold ="
        f" {DEMO_FAILBACK_HOLD} traffic returns to em0 once its link has lasted"
        f" {DEMO_FAILBACK_HOLD}",
        [["plug", "em0"]],
        _expect_active("em0", home),
        settle=True,
    )
    _save(story.policy_path, good)
    _wait("the fixed policy to be accepted", lambda: not story.daemon_status().get("rejected"))
    story.out("   fixed and saved again: accepted")


def _save(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _summary(story: Story, started: float) -> None:
    records = story.store.read_journal(last=1000)
    actions = sum(len(r.get("actions", [])) for r in records)
    held = story.journal.held
    story.out("")
    story.out(story.style.title("Summary"))
    story.out(f"  devd events delivered: {story.journal.events}")
    story.out(f"  reconciles: {len(records)}, actions: {actions}")
    story.out(f"  addresses: {' -> '.join(story.journal.addresses)}")
    state = read_only(story.dir)
    story.out(
        f"  one address: lagg0 changed its address {state.readdressed.get('lagg0', 0)} time(s)"
        f" without a network change; Wi-Fi re-associations by MAC re-initialisation (laggroam's"
        f" actions): {sum(state.reassociations.values())}"
    )
    if held:
        story.out(
            f"  devd held per event: median {sorted(held)[len(held) // 2] * 1000:.0f} ms,"
            f" max {max(held) * 1000:.0f} ms, total {sum(held):.2f} s"
        )
    story.out(f"  demo time: {time.monotonic() - started:.1f} s")


@contextlib.contextmanager
def _workdir(keep: str | None) -> Iterator[Path]:
    if keep:
        path = Path(keep)
        path.mkdir(parents=True, exist_ok=True)
        yield path.resolve()
        return
    # Short: the socket path must fit sun_path (104 bytes, sys/sys/un.h).
    path = Path(tempfile.mkdtemp(prefix="lgdemo", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run_demo(keep_dir: str | None = None, *, step: bool = False, as_json: bool = False) -> int:
    """Tell the story; 0 only when every step reached its expected state."""
    started = time.monotonic()
    style = Style(sys.stdout.isatty() and not as_json and os.environ.get("NO_COLOR") is None)
    lines: list[str] = []

    def out(text: str) -> None:
        lines.append(text)
        if not as_json:
            print(text, flush=True)

    if step and not as_json:
        print("--step: press Enter after each step.")
    with _workdir(keep_dir) as sim_dir:
        story = Story(sim_dir, out, style)
        if step and not as_json:
            story.step = _pausing(story.step)  # type: ignore[method-assign]
        out(style.title("laggroam demo: a FreeBSD laptop roaming between cable and Wi-Fi"))
        out(
            f"(simulated host; the sample policy with stuck_after = {DEMO_TIMERS['stuck_after']}"
            " and debounce = 100ms,"
        )
        out(" so that its timers take seconds, not minutes: the story takes under twenty seconds)")
        try:
            _from_rc_conf(story)
            story.sim(
                "init", "laptop", "--dual-stack", "--rc", f"ifconfig_em0=ether {HANDBOOK_MAC} up"
            )
            _plan_and_apply(story)
            story.out("")
            story.install()
            _tell(story)
            _summary(story, started)
            ok = True
        except (DemoFailed, SimError, policy_mod.PolicyErrors, OSError) as exc:
            out(f"demo FAILED: {exc}")
            ok = False
        finally:
            story.stop()
        if as_json:
            print(json.dumps({"ok": ok, "steps": story.journal.steps, "lines": lines}, indent=2))
    return EX_OK if ok else EX_SOFTWARE


def _pausing(step: Callable[..., Host]) -> Callable[..., Host]:
    def wrapped(*args: Any, **kwargs: Any) -> Host:
        host = step(*args, **kwargs)
        with contextlib.suppress(EOFError):
            input("   [Enter] ")
        return host

    return wrapped
