"""The state directory: atomic memory, bounded journal, safe files, the lock."""

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from laggroam import store as store_mod
from laggroam.memory import Failure, LaggMemory, Memory, WlanMemory
from laggroam.store import Store


def test_memory_round_trip(tmp_path: Path) -> None:
    s = Store(tmp_path / "db")
    memory = Memory(
        laggs={"lagg0": LaggMemory(active="em0", link=True, mac="00:1a:73:73:92:34")},
        wlans={"wlan0": WlanMemory(present=True, restarts=2, next_restart=5.5)},
        failures={"AddLaggPort lagg0 wlan0": Failure(1, 3.0, "exit 1")},
    )
    s.save_memory(memory)
    assert s.load_memory() == memory
    mode = stat.S_IMODE(os.stat(tmp_path / "db" / "state.json").st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "db").st_mode) == 0o700


def test_missing_memory_is_empty(tmp_path: Path) -> None:
    assert Store(tmp_path).load_memory() == Memory()


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"version": 2}',
        '{"version": 1, "laggs": {"lagg0": {"active": 5}}}',
        '{"version": 1, "laggs": {"lagg0": {"bogus": 1}}}',
        '{"version": 1, "wlans": {"wlan0": {"restarts": true}}}',
        '{"version": 1, "failures": {"x": {"count": 1}}}',
        '{"version": 1, "laggs": []}',
    ],
)
def test_damaged_memory_is_empty_with_a_warning(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "state.json").write_text(content)
    assert Store(tmp_path).load_memory() == Memory()
    assert "damaged" in caplog.text


def test_symlinked_state_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text('{"version": 1, "laggs": {"lagg0": {"active": "em0"}}}')
    (tmp_path / "state.json").symlink_to(target)
    assert Store(tmp_path).load_memory() == Memory()


def test_journal_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_mod, "JOURNAL_MAX_BYTES", 2000)
    s = Store(tmp_path)
    for n in range(200):
        s.append_journal({"id": n, "pad": "x" * 40})
    size = (tmp_path / "journal.jsonl").stat().st_size
    assert size <= 2100
    records = s.read_journal(last=5)
    assert [r["id"] for r in records] == [195, 196, 197, 198, 199]
    for line in (tmp_path / "journal.jsonl").read_text().splitlines():
        json.loads(line)


def test_lock_is_exclusive_and_followups_coalesce(tmp_path: Path) -> None:
    s = Store(tmp_path)
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with s.lock(wait=None) as got:
            assert got
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    assert held.wait(10)
    with s.lock(wait=0) as got:
        assert got is False
    s.request_followup(["LINK_DOWN em0"])
    s.request_followup(["LINK_UP em0", "LINK_DOWN em0"])
    s.request_followup()
    release.set()
    t.join(10)
    assert s.take_followup() == ["LINK_DOWN em0", "LINK_UP em0"]
    assert s.take_followup() is None
    with s.lock(wait=0) as got:
        assert got is True
