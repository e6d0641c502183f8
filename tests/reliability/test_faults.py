"""Faults injected into reconciles on the simulated laptop: each is survived, and once it
clears the host converges with nothing lost (lagg0 whole and addressed, state and journal
readable, no temporary file left behind).

Commands fail, hang past their (tiny) timeout, vanish or change the world in the middle
of a plan through ``relhelp.Host``'s runner wrapper; a full or read-only disk is
simulated by wrapping the ``os`` calls of laggroam.edge.store (no tmpfs is mounted).
"""

import errno
import json
import logging
import os
import types
from pathlib import Path
from typing import Any

import pytest
from laggroam_sim.state import read_only
from relhelp import Host, failing, prog

from laggroam.config.policy import loads
from laggroam.core.event import Event
from laggroam.core.memory import Failure, LaggMemory, Memory
from laggroam.edge import store as store_mod
from laggroam.edge.reconcile import RETRY_MAX
from laggroam.edge.runner import Result, run

FORCERESTART = ("service", "dhclient", "forcerestart", "lagg0")


def commands(outcome: Any) -> list[str]:
    return [d.action.command() for d in outcome.done]


def wpa_running(host: Host) -> bool:
    sup = read_only(host.dir).supplicants.get("wlan0")
    return sup is not None and sup.pid is not None


# -- commands that fail, hang, vanish -------------------------------------------


def test_fault_command_fails_then_is_retried_after_its_backoff(host: Host) -> None:
    host.sim("unplug", "em0")
    host.fault(failing(*FORCERESTART))
    first = host.reconcile()
    assert [(d.action.command(), d.ok) for d in first.done] == [
        ("service dhclient forcerestart lagg0", False)
    ]
    assert "injected failure" in first.done[0].detail
    # Within the backoff the failed action waits; it is not hammered.
    second = host.reconcile(advance=1.0)
    assert second.done == [] and any("next try in" in n for n in second.notes)
    host.clear()
    third = host.reconcile(advance=10.0)
    assert commands(third) == ["service dhclient forcerestart lagg0"] and third.converged
    host.converge()
    host.healthy()
    assert host.store.load_memory().failures == {}


def test_fault_command_hangs_past_its_timeout(host: Host) -> None:
    def hang(argv: tuple[str, ...], _timeout: float) -> Result | None:
        if prog(argv) == FORCERESTART:
            return run(["sleep", "5"], timeout=0.05)  # the real runner's timeout path
        return None

    host.sim("unplug", "em0")
    host.fault(hang)
    outcome = host.reconcile()
    assert [d.ok for d in outcome.done] == [False]
    assert "timed out after 0.05s" in outcome.done[0].detail
    host.clear()
    host.converge(advance=10.0)
    host.healthy()


def test_fault_observation_hangs_only_that_part_is_unknown(host: Host) -> None:
    def hang(argv: tuple[str, ...], _timeout: float) -> Result | None:
        if prog(argv)[0] == "sysctl":
            return run(["sleep", "5"], timeout=0.05)
        return None

    host.fault(hang)
    host.sim("detach", "iwn0")
    outcome = host.reconcile()
    # The radio list is unknown: wlan0's absence is not acted on by a guess.
    assert outcome.done == []
    host.clear()
    host.sim("attach", "iwn0")
    host.converge()
    host.healthy()


def test_fault_ifconfig_missing(host: Host, tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere" / "ifconfig")

    def gone(argv: tuple[str, ...], timeout: float) -> Result | None:
        if prog(argv)[0] == "ifconfig":
            return run([missing, *argv[1:]], timeout=timeout)
        return None

    host.sim("unplug", "em0")
    host.fault(gone)
    outcome = host.reconcile()
    assert not outcome.observed and "No such file or directory" in (outcome.error or "")
    assert outcome.done == [] and host.writes.count == 0
    record = host.store.read_journal()[-1]
    assert record["error"] == outcome.error and record["actions"] == []
    host.clear()
    host.converge()
    host.healthy()


def test_fault_every_program_missing(host: Host, tmp_path: Path) -> None:
    def gone(argv: tuple[str, ...], timeout: float) -> Result | None:
        return run([str(tmp_path / "none" / prog(argv)[0]), *argv[1:]], timeout=timeout)

    host.fault(gone)
    outcome = host.reconcile()
    assert not outcome.observed and outcome.done == []
    host.clear()
    host.converge()
    host.healthy()


def test_fault_ifconfig_exits_nonzero_with_partial_output(host: Host) -> None:
    def partial(argv: tuple[str, ...], _timeout: float) -> Result | None:
        if prog(argv) == ("ifconfig", "-a"):
            return Result(argv, 1, "em0: flags=8843<UP> metric 0 mtu 1500\n", "ifconfig: oops\n")
        return None

    host.sim("unplug", "em0")
    host.fault(partial)
    outcome = host.reconcile()
    assert not outcome.observed and outcome.done == []
    host.clear()
    host.converge()
    host.healthy()


def test_fault_action_exits_zero_but_does_nothing(host: Host) -> None:
    def silent(argv: tuple[str, ...], _timeout: float) -> Result | None:
        return Result(argv, 0, "", "") if prog(argv) == FORCERESTART else None

    host.sim("unplug", "em0")
    host.fault(silent)
    outcome = host.reconcile()
    assert [(d.ok, d.detail) for d in outcome.done] == [(False, "no visible effect")]
    assert "RenewDhcp lagg0" in host.store.load_memory().failures
    host.clear()
    host.converge(advance=10.0)
    host.healthy()


# -- the world changes under a reconcile ----------------------------------------


def _during(host: Host, match: tuple[str, ...], change: Any) -> None:
    """Run ``change`` once, just before the first command starting with ``match``."""
    fired: list[bool] = []

    def hook(argv: tuple[str, ...], _timeout: float) -> Result | None:
        if not fired and prog(argv)[: len(match)] == match:
            fired.append(True)
            change()
        return None

    host.fault(hook)


def test_fault_wpa_supplicant_dies_during_a_reconcile(host: Host) -> None:
    host.sim("unplug", "em0")
    _during(host, FORCERESTART, lambda: host.sim("wpa", "kill", "wlan0"))
    host.reconcile()
    host.clear()
    final = host.converge()
    assert final.converged
    assert wpa_running(host)
    host.healthy()
    assert host.lagg()[0] == "wlan0"


def test_fault_wlan0_destroyed_in_the_middle_of_a_plan(host: Host) -> None:
    host.sim("unplug", "em0")
    _during(host, FORCERESTART, lambda: host.sim("detach", "iwn0"))
    outcome = host.reconcile()
    assert outcome.observed
    host.clear()
    host.sim("attach", "iwn0")
    host.converge()
    host.healthy()
    assert wpa_running(host)


def test_fault_dhclient_exits(host: Host) -> None:
    host.kill_dhclient("lagg0")
    outcome = host.reconcile()
    assert commands(outcome) == ["service dhclient forcestart lagg0"]
    host.converge()
    host.healthy()


def test_fault_dhclient_exits_during_a_reconcile(host: Host) -> None:
    host.sim("unplug", "em0")
    _during(host, FORCERESTART, lambda: host.kill_dhclient("lagg0"))
    host.reconcile()
    host.clear()
    host.converge()
    host.healthy()


# -- the state directory --------------------------------------------------------

CORRUPT_STATES = [
    b"",
    b"\xff\xfe\x00garbage",
    b'{"version": 1, "laggs": ',
    b"null",
    b"[]",
    b'{"version": 2}',
    b'{"version": 1, "laggs": [1]}',
    b'{"version": 1, "laggs": {"lagg0": {"active": 5}}}',
    b'{"version": 1, "failures": {"x": {"count": "a", "retry_at": 1}}}',
    b'{"version": 1, "wlans": {"wlan0": {"bogus": true}}}',
    b'{"version": 1, "failures": {"x": {"count": 1}}}',
    b"{" * 100_000,
    b" " * (2 * 1024 * 1024),
]


@pytest.mark.parametrize("data", CORRUPT_STATES, ids=range(len(CORRUPT_STATES)))
def test_fault_state_file_corrupt(host: Host, data: bytes) -> None:
    (host.store.dir / "state.json").write_bytes(data)
    host.sim("unplug", "em0")
    outcome = host.reconcile()
    # Memory lost means "start from observation": no transition is known, none is acted on.
    assert outcome.converged and outcome.observed
    host.converge()
    host.healthy()
    assert host.lagg()[0] == "wlan0"


def test_fault_state_file_holds_infinity(host: Host) -> None:
    """JSON's Infinity in a retry time would have held an action back forever."""
    path = host.store.dir / "state.json"
    state = json.loads(path.read_text())
    state["failures"] = {"RenewDhcp lagg0": {"count": 1, "retry_at": 1e400}}
    path.write_text(json.dumps(state))
    assert "Infinity" in path.read_text()
    host.sim("unplug", "em0")
    assert commands(host.reconcile()) == ["service dhclient forcerestart lagg0"]


def test_fault_journal_corrupt(host: Host) -> None:
    path = host.store.dir / "journal.jsonl"
    with open(path, "ab") as f:
        f.write(b'{"id": "half a rec\n\x00\x00\xff\xfe\n[1, 2]\n"string"\n{"id": "cut')
    host.sim("unplug", "em0")
    outcome = host.reconcile()
    records = host.store.read_journal(last=1000)
    # The cut last line did not swallow the new record.
    assert records[-1]["id"] == outcome.id
    assert all(isinstance(r, dict) for r in records)
    assert path.read_bytes().endswith(b"\n")


class _Disk:
    """The state directory's file system refusing writes: ``errno`` on open or write."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, on: str, code: int) -> None:
        self.on, self.code, self.hits = on, code, 0
        self.real_open, self.real_write = os.open, os.write
        # Only laggroam.edge.store sees this file system; the simulator's own files do not.
        shim = types.SimpleNamespace(
            **{k: getattr(os, k) for k in dir(os) if not k.startswith("__")}
        )
        shim.open, shim.write = self.open, self.write
        monkeypatch.setattr(store_mod, "os", shim)

    def open(self, path: Any, flags: int, mode: int = 0o777) -> int:
        if self.on == "open" and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            self.hits += 1
            raise OSError(self.code, os.strerror(self.code), str(path))
        return self.real_open(path, flags, mode)

    def write(self, fd: int, data: Any) -> int:
        if self.on == "write":
            self.hits += 1
            raise OSError(self.code, os.strerror(self.code))
        if self.on == "short":
            # A filling disk: half of what was asked, then nothing more fits.
            self.hits += 1
            self.on = "write"
            return self.real_write(fd, bytes(data)[: max(1, len(data) // 2)])
        return self.real_write(fd, data)


@pytest.mark.parametrize(
    ("on", "code"),
    [
        ("open", errno.EROFS),
        ("open", errno.EACCES),
        ("write", errno.ENOSPC),
        ("short", errno.ENOSPC),
        ("write", errno.EIO),
    ],
    ids=["read-only", "unwritable", "full-disk", "disk-fills-mid-write", "io-error"],
)
def test_fault_state_dir_unwritable_or_full(
    host: Host,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    on: str,
    code: int,
) -> None:
    assert host.locked() is not None  # laggroam ran before the disk went bad
    before = (host.store.dir / "state.json").read_bytes()
    disk = _Disk(monkeypatch, on, code)
    host.sim("unplug", "em0")
    with caplog.at_level(logging.ERROR, logger="laggroam.edge.reconcile"):
        outcome = host.locked()
    # The host was still put right; only the record of it was lost, and said so.
    assert outcome is not None and outcome.converged
    assert commands(outcome) == ["service dhclient forcerestart lagg0"]
    assert disk.hits > 0
    assert any("memory not saved" in n for n in outcome.notes)
    assert "not saved" in caplog.text
    # The old state is whole (never half-written) and no temporary file is left.
    assert (host.store.dir / "state.json").read_bytes() == before
    assert [p.name for p in host.store.dir.iterdir() if p.name.endswith(".tmp")] == []
    monkeypatch.undo()
    host.converge()
    host.healthy()


# -- events out of order, missing; the clock jumps ------------------------------


def test_fault_devd_events_out_of_order(host: Host) -> None:
    host.sim("unplug", "em0")
    # UP arrives after DOWN although the cable is out: observation wins.
    outcome = host.reconcile([Event("LINK_DOWN", "em0"), Event("LINK_UP", "em0")])
    assert commands(outcome) == ["service dhclient forcerestart lagg0"]
    host.sim("plug", "em0")
    outcome = host.reconcile([Event("LINK_UP", "em0"), Event("LINK_DOWN", "em0")])
    assert outcome.converged
    host.converge()
    host.healthy()
    assert host.lagg()[0] == "em0"


def test_fault_devd_events_missing(host: Host) -> None:
    for verb in ("unplug", "plug", "unplug"):
        host.sim(verb, "em0")
    host.sim("detach", "iwn0")
    host.sim("attach", "iwn0")
    outcome = host.reconcile()  # no event at all, as the periodic reconcile does
    assert outcome.converged
    host.converge()
    host.healthy()
    assert host.lagg()[0] == "wlan0" and wpa_running(host)


def test_fault_events_for_unknown_interfaces_change_nothing(host: Host) -> None:
    outcome = host.reconcile([Event("LINK_DOWN", "em7"), Event("DETACH", "wlan9")])
    assert outcome.converged and outcome.done == []


def test_fault_clock_jumps_forward_over_a_suspend(host: Host) -> None:
    host.sim("unplug", "em0")
    host.fault(failing(*FORCERESTART))
    host.reconcile()
    host.clear()
    host.sim("suspend")
    host.sim("resume")
    outcome = host.reconcile([Event("RESUME")], advance=86_400.0)
    assert outcome.converged
    host.converge()
    host.healthy()


def test_fault_clock_jumps_back_retry_is_not_held(host: Host) -> None:
    host.sim("unplug", "em0")
    host.fault(failing(*FORCERESTART))
    host.reconcile()
    host.clear()
    # NTP steps the clock back a day: the retry must not wait a day.
    outcome = host.reconcile(advance=-86_400.0)
    assert commands(outcome) == ["service dhclient forcerestart lagg0"]
    failures = host.store.load_memory().failures
    assert failures == {}


def test_fault_clock_jumps_back_failback_hold_is_not_held(laptop: Path, tmp_path: Path) -> None:
    from relhelp import SAMPLE, new_host

    text = (Path(__file__).parents[2] / "conf" / "laggroam.ini.sample").read_text()
    pol = loads(text.replace("failback_hold = 0s", "failback_hold = 30s"), "hold.ini")
    assert pol != SAMPLE
    host = new_host(laptop, tmp_path / "sim", pol)
    host.converge()
    host.sim("unplug", "em0")
    host.converge()
    host.sim("plug", "em0")
    host.reconcile()
    assert host.lagg()[0] == "wlan0"  # held on the backup for 30 s
    host.clock -= 86_400.0
    host.reconcile(advance=0.0)
    host.converge(advance=31.0)
    assert host.lagg()[0] == "em0"
    host.healthy()


def test_memory_after_clock_jump_keeps_sane_times() -> None:
    mem = Memory(
        laggs={"lagg0": LaggMemory(primary_link_since=500.0)},
        failures={
            "a": Failure(1, 1000.0 + RETRY_MAX),
            "b": Failure(1, 1e9),
            "c": Failure(1, float("inf")),
        },
    )
    fixed = mem.after_clock_jump(1000.0)
    assert fixed.laggs["lagg0"].primary_link_since == 500.0
    assert [fixed.failures[k].retry_at for k in "abc"] == [1000.0 + RETRY_MAX, 1000.0, 1000.0]
    back = mem.after_clock_jump(100.0)
    assert back.laggs["lagg0"].primary_link_since == 100.0


# -- serialisation: a one-shot racing another -------------------------------------


def test_fault_lock_held_one_shot_coalesces(host: Host) -> None:
    from laggroam.edge.reconcile import locked_reconcile

    host.sim("unplug", "em0")
    with host.store.lock(wait=0) as got:
        assert got
        skipped = locked_reconcile(host.system, host.policy, host.store, coalesce=True)
        assert skipped is None
    # The follow-up request was left for the lock holder: it runs one more round.
    outcome = host.locked()
    assert outcome is not None and outcome.converged
    host.healthy()
    assert not (host.store.dir / "pending").exists()
