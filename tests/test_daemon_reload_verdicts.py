"""The daemon's reload and what the supervisor hears, decided without a daemon process."""

import time
from pathlib import Path

import pytest

from laggroam.config import policy
from laggroam.daemon.notify import Notifier, Readiness
from laggroam.daemon.reload import Loaded, PolicyReload, Verdict
from laggroam.edge.store import Store

LAGG = "[lagg0]\nports = em0 wlan0\n"


def _reload(tmp_path: Path) -> tuple[PolicyReload, list[Loaded], Path]:
    path = tmp_path / "laggroam.ini"
    path.write_text(LAGG)
    posted: list[Loaded] = []
    r = PolicyReload(
        path,
        policy.load(path),
        lambda p: tmp_path / p.lstrip("/"),
        Store(tmp_path / "state"),
        posted.append,
    )
    return r, posted, path


def _verdict(r: PolicyReload, posted: list[Loaded], *, requested: bool) -> Verdict:
    r.loading = True  # as start() leaves it; load() runs here instead of in its thread
    r.load(requested)
    return r.finish(posted.pop())


def test_a_saved_file_is_taken_kept_or_refused(tmp_path: Path) -> None:
    r, posted, path = _reload(tmp_path)
    assert not r.judge_at_start()  # the file is the policy the command read
    assert _verdict(r, posted, requested=False) is Verdict.KEPT
    assert _verdict(r, posted, requested=True) is Verdict.UNCHANGED
    path.write_text(LAGG + "failback_hold = 5s\n")
    assert r.changed_on_disk()
    assert _verdict(r, posted, requested=False) is Verdict.TAKEN
    assert r.generation == 2 and r.policy.laggs[0].failback_hold == 5.0
    assert not r.changed_on_disk()
    path.write_text(LAGG + "bogus = 1\n")
    assert _verdict(r, posted, requested=False) is Verdict.REFUSED
    assert r.generation == 2 and r.rejected and "bogus" in r.rejected[0]
    path.unlink()
    path.mkdir()
    assert _verdict(r, posted, requested=False) is Verdict.UNREADABLE


def test_a_reload_asked_for_during_one_runs_after_it(tmp_path: Path) -> None:
    r, posted, _ = _reload(tmp_path)
    r.loading = True
    r.start(requested=True)
    assert r.load_again == "requested"
    r.load(False)
    r.finish(posted.pop())
    assert r.loading  # the one asked for meanwhile has started, in its thread
    deadline = time.monotonic() + 30
    while not posted and time.monotonic() < deadline:
        time.sleep(0.01)
    assert posted and posted[0].requested
    assert r.finish(posted.pop()) is Verdict.UNCHANGED and not r.loading


class _Sent(Notifier):
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, *fields: str) -> None:
        self.sent.append(fields[0].split("=")[0])

    @staticmethod
    def watchdog_interval() -> float | None:
        return 0.5


def test_ready_after_the_first_reconcile_then_after_each_reload() -> None:
    sent = _Sent()
    ready = Readiness(sent)
    ready.reloaded("before")  # before the first reconcile: only a status
    ready.refused("bad", requested=False)
    assert sent.sent == ["STATUS", "STATUS"]
    ready.reconciled("1 reconciles")
    ready.reconciled("2 reconciles")
    assert sent.sent[2:] == ["READY", "STATUS"]
    ready.refused("bad", requested=True)  # a SIGHUP is answered even when refused
    ready.reloaded("taken")
    assert sent.sent[4:] == ["RELOADING", "READY", "RELOADING", "READY"]


@pytest.mark.parametrize("now", [0.0, 10.0])
def test_watchdog_pings_at_half_the_interval(now: float) -> None:
    sent = _Sent()
    ready = Readiness(sent)
    ready.start(now)
    ready.ping_if_due(now)
    ready.ping_if_due(now + 0.4)
    ready.ping_if_due(now + 0.5)
    assert sent.sent == ["WATCHDOG", "WATCHDOG"] and ready.next_ping == now + 1.0


def test_the_summary_tells_the_reconciles_and_a_rejected_policy(tmp_path: Path) -> None:
    from laggroam.daemon.statusfile import Progress

    r, posted, path = _reload(tmp_path)
    progress = Progress()
    assert progress.ended(None) is None and progress.summary(r) == "1 reconciles"
    path.write_text(LAGG + "bogus = 1\n")
    _verdict(r, posted, requested=True)
    summary = progress.summary(r)
    assert summary.startswith("1 reconciles; policy rejected: ") and "bogus" in summary
