"""How a converged reconcile grows with the host: programs, ``plan()`` and laggroam's own compute.

A made-up FreeBSD host of N interfaces (N // 3 failover laggs of two em ports,
at least one; tap interfaces fill the rest; plus lo0) is served by a runner
that answers ``ifconfig -a`` with FreeBSD's text for it (the stanza layout of
the captured lagg-failover-em0-em1-15 fixture) and ``ps`` for the laggs'
dhclients, whose pidfiles are real files under a temporary root.  So the
programs counted are exactly those a real host would be asked, and the time
measured is laggroam's own: parsing, planning, the state directory's writes.
"""

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.stats import Row, Summary
from laggroam.config import policy
from laggroam.core import plan
from laggroam.core.programs import Programs
from laggroam.edge import rcstatus
from laggroam.edge.reconcile import reconcile
from laggroam.edge.runner import Result
from laggroam.edge.store import Store
from laggroam.edge.system import System

SIZES = (2, 16, 64, 256, 1024)
PLAN_TARGET_MS = 5.0
COMPUTE_TARGET_MS = 20.0
TARGET_AT = 1024
FLAGS = "flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500"
PID_BASE = 2000


class FakeHost:
    """A converged host of ``size`` interfaces: its ``ifconfig -a``, pidfiles and ps."""

    def __init__(self, size: int, root: Path) -> None:
        self.laggs = max(1, size // 3)
        two = size >= 3
        stanzas = ["lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384\n"
                   "\tinet 127.0.0.1 netmask 0xff000000\n\tgroups: lo\n"]  # fmt: skip
        sections = ["[daemon]\ninterval = 0\nlog_level = warning\n"]
        self.pids: dict[int, str] = {}
        count = 0
        for n in range(self.laggs):
            mac = f"02:00:00:{n >> 8:02x}:{n & 0xFF:02x}:01"
            ports = [f"em{2 * n}", f"em{2 * n + 1}"] if two else [f"em{n}"]
            for port in ports:
                stanzas.append(
                    f"{port}: {FLAGS}\n\tether {mac}\n"
                    "\tmedia: Ethernet autoselect (1000baseT <full-duplex>)\n\tstatus: active\n"
                )
            lines = [f"\tlaggport: {ports[0]} flags=5<MASTER,ACTIVE>\n"]
            lines += [f"\tlaggport: {p} flags=0<>\n" for p in ports[1:]]
            stanzas.append(
                f"lagg{n}: {FLAGS}\n\tether {mac}\n"
                f"\tinet 10.{n >> 8}.{n & 0xFF}.2 netmask 0xffffff00 broadcast"
                f" 10.{n >> 8}.{n & 0xFF}.255\n"
                "\tlaggproto failover lagghash l2,l3,l4\n" + "".join(lines) + "\tgroups: lagg\n"
                "\tmedia: Ethernet autoselect\n\tstatus: active\n"
            )
            sections.append(f"[lagg{n}]\nports = {' '.join(ports)}\nproto = failover\n")
            pid = PID_BASE + n
            self.pids[pid] = f"dhclient: lagg{n} (dhclient)"
            path = root / rcstatus.DHCLIENT.pidfile_for(f"lagg{n}").lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{pid}\n")
            count += 1 + len(ports)
        while count < size:
            stanzas.append(f"tap{count}: {FLAGS}\n\tether 58:9c:fc:00:{count >> 8:02x}:"
                           f"{count & 0xFF:02x}\n\tgroups: tap\n")  # fmt: skip
            count += 1
        self.listing = "".join(stanzas)
        self.policy = policy.loads("\n".join(sections), "<growth>")
        self.calls: list[str] = []

    def runner(self, argv: Sequence[str], timeout: float) -> Result:
        args = tuple(argv)
        name = Path(args[0]).name
        self.calls.append(name)
        if name == "ifconfig" and args[1:] == ("-a",):
            return Result(args, 0, self.listing)
        if name == "ps":
            wanted = [int(p) for p in args[-1].split(",") if p.isdigit()]
            lines = [f"{p:5d}   0 {self.pids[p]}\n" for p in wanted if p in self.pids]
            return Result(args, 0 if lines else 1, "".join(lines))
        return Result(args, 1, "", f"{name}: not expected on this host\n")


@dataclass(frozen=True)
class Growth:
    """One host size's figures."""

    size: int
    laggs: int
    programs: int
    plan: Summary  # ms
    compute: Summary  # ms


def measure(size: int, calls: int) -> Growth:
    """Programs, plan() and reconcile compute of a converged host of ``size`` interfaces."""
    with tempfile.TemporaryDirectory(prefix="lggrow") as tmp:
        root = Path(tmp) / "root"
        host_model = FakeHost(size, root)
        system = System(Programs(root=str(root)), runner=host_model.runner)
        store = Store(Path(tmp) / "db")
        outcome = reconcile(system, host_model.policy, store)
        assert outcome.converged and not outcome.done, outcome.record(None)
        host_model.calls.clear()
        reconcile(system, host_model.policy, store)
        programs = len(host_model.calls)
        host = system.observe(
            dhcp_ifaces=[lp.name for lp in host_model.policy.laggs]
            + [p for lp in host_model.policy.laggs for p in lp.ports],
            wpa_ifaces=[],
            wlans=[],
        )
        memory = store.load_memory()  # the converged host's, as a reconcile plans with it
        plans, computes = [], []
        for _ in range(calls):
            started = time.perf_counter()
            plan.plan(host_model.policy, host, memory, (), time.time())
            plans.append(time.perf_counter() - started)
            started = time.perf_counter()
            reconcile(system, host_model.policy, store)
            computes.append(time.perf_counter() - started)
        return Growth(
            size,
            host_model.laggs,
            programs,
            Summary.of(plans).scaled(1000),
            Summary.of(computes).scaled(1000),
        )


def run_bench(calls: int, sizes: Sequence[int] = SIZES) -> list[Row]:
    rows = []
    for size in sizes:
        m = measure(size, calls)
        at_target = size == TARGET_AT
        plan_ms, compute_ms = m.plan, m.compute
        what = f"{size} interfaces, {m.laggs} laggs"
        rows.append(
            Row(
                "growth",
                f"programs per converged reconcile, {what}",
                Summary.of([float(m.programs)]),
                "programs",
                "the target",
                None,
                None,
                target="<= 2 (no wlan: ifconfig -a, ps)",
                met=m.programs <= 2,
            )
        )
        rows.append(_timed("plan()", what, plan_ms, PLAN_TARGET_MS, at_target))
        rows.append(
            _timed(
                "reconcile compute (parse, plan, state writes)",
                what,
                compute_ms,
                COMPUTE_TARGET_MS,
                at_target,
            )
        )
    return rows


def _timed(name: str, what: str, ms: Summary, target_ms: float, at_target: bool) -> Row:
    """A timing row; judged against its target at the target size only."""
    return Row(
        "growth",
        f"{name}, {what}",
        ms,
        "ms",
        f"the {target_ms:g} ms target" if at_target else "",
        None,
        ms.median / target_ms if at_target else None,
        target=f"< {target_ms:g} ms at {TARGET_AT}" if at_target else "",
        met=ms.median < target_ms if at_target else None,
    )
