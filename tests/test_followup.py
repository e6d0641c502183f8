"""Coalesced one-shots: a follow-up carries its events and is never left behind."""

import contextlib
import io
import threading
from pathlib import Path

from laggroam_sim.cli import main as sim_main
from paths import REPO
from simrun import in_process

from laggroam.config import policy
from laggroam.core.event import Event
from laggroam.edge.reconcile import locked_reconcile
from laggroam.edge.store import Store

POLICY = policy.load(REPO / "conf" / "laggroam.ini.sample")


def _laptop(tmp_path: Path) -> Path:
    with contextlib.redirect_stdout(io.StringIO()):
        assert sim_main(["init", "laptop"], tmp_path) == 0
    return tmp_path


def test_coalesced_call_hands_its_events_to_the_next_holder(tmp_path: Path) -> None:
    sim_dir = _laptop(tmp_path)
    system, store = in_process(sim_dir), Store(tmp_path / "db")
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with store.lock(wait=None):
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    assert held.wait(10)
    resume = Event("RESUME")
    assert locked_reconcile(system, POLICY, store, [resume], coalesce=True) is None
    assert store.followup_pending()
    release.set()
    t.join(10)
    outcome = locked_reconcile(system, POLICY, store, [Event("LINK_UP", "em0")])
    assert outcome is not None
    events = [e for r in store.read_journal() for e in r["events"]]
    assert events == ["LINK_UP em0", "RESUME"]
    assert not store.followup_pending()


def test_a_request_left_after_the_holder_looked_is_served(tmp_path: Path) -> None:
    """The holder looks again after letting go of the lock."""
    sim_dir = _laptop(tmp_path)
    system, store = in_process(sim_dir), Store(tmp_path / "db")
    real_take = store.take_followup
    calls = {"n": 0}

    def take_then_request() -> list[str] | None:
        # Between the holder's last look and its unlock, a hook asks for more.
        got = real_take()
        calls["n"] += 1
        if calls["n"] == 1:
            store.request_followup([Event("ATTACH", "wlan0")])
            return None
        return got

    store.take_followup = take_then_request  # type: ignore[method-assign]
    outcome = locked_reconcile(system, POLICY, store, [])
    assert outcome is not None
    events = [e for r in store.read_journal() for e in r["events"]]
    assert events == ["ATTACH wlan0"]
    assert not store.followup_pending()
