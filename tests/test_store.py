"""The state directory: atomic memory, bounded journal, safe files, the lock."""

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from laggroam.core.event import Event
from laggroam.core.memory import Failure, LaggMemory, Memory, WlanMemory
from laggroam.edge import store as store_mod
from laggroam.edge.store import Store


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
    s.request_followup([Event("LINK_DOWN", "em0")])
    s.request_followup([Event("LINK_UP", "em0"), Event("LINK_DOWN", "em0")])
    s.request_followup()
    release.set()
    t.join(10)
    assert s.take_followup() == [Event("LINK_DOWN", "em0"), Event("LINK_UP", "em0")]
    assert s.take_followup() is None
    with s.lock(wait=0) as got:
        assert got is True


def test_journal_trim_keeps_the_newest_of_a_long_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A journal far past the bound (an older version, or a full disk healed):
    # the trim must keep its end, not its beginning.
    monkeypatch.setattr(store_mod, "JOURNAL_MAX_BYTES", 2000)
    old = "".join(json.dumps({"id": f"old{n}", "pad": "x" * 40}) + "\n" for n in range(2000))
    (tmp_path / "journal.jsonl").write_text(old)
    s = Store(tmp_path)
    s.append_journal({"id": "new"})
    ids = [r["id"] for r in s.read_journal(last=3)]
    assert ids == ["old1998", "old1999", "new"]
    assert (tmp_path / "journal.jsonl").stat().st_size <= 2100


def test_one_huge_record_is_cut_and_loses_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_mod, "JOURNAL_MAX_BYTES", 8000)
    s = Store(tmp_path)
    s.append_journal({"id": "before"})
    s.append_journal(
        {"id": "huge", "time": 5.0, "notes": ["y" * 10 * store_mod.JOURNAL_MAX_RECORD]}
    )
    s.append_journal({"id": "after"})
    records = s.read_journal(last=5)
    assert [r["id"] for r in records] == ["before", "huge", "after"]
    assert "cut to its summary" in records[1]["notes"][0]
    assert all(
        len(line) <= store_mod.JOURNAL_MAX_RECORD
        for line in (tmp_path / "journal.jsonl").read_text().splitlines()
    )


def test_a_planted_huge_line_loses_no_record_after_it(tmp_path: Path) -> None:
    s = Store(tmp_path)
    s.append_journal({"id": "first"})
    with open(tmp_path / "journal.jsonl", "a") as f:
        f.write("{" + "z" * (2 * store_mod.JOURNAL_MAX_BYTES))  # no newline: a crash mid-write
    s.append_journal({"id": "next"})
    assert [r["id"] for r in s.read_journal(last=5)] == ["next"]
    s.append_journal({"id": "third"})
    assert [r["id"] for r in s.read_journal(last=2)] == ["next", "third"]


def test_damaged_newest_lines_do_not_hide_the_records_before(tmp_path: Path) -> None:
    s = Store(tmp_path)
    s.append_journal({"id": "good"})
    with open(tmp_path / "journal.jsonl", "a") as f:
        f.write('not json\n[1, 2]\n{"cut": \n')
    assert [r["id"] for r in s.read_journal(last=1)] == ["good"]


@pytest.mark.parametrize(
    "record",
    [
        {"id": "x", "actions": 5},
        {"id": "x", "actions": ["ifconfig", None]},
        {"id": ["x"], "time": "noon", "events": "e", "notes": {"a": 1}},
        {"id": "x", "time": 1e300},
        {"id": "x", "time": True, "converged": "yes"},
    ],
)
def test_status_survives_any_record_shape(tmp_path: Path, record: dict[str, object]) -> None:
    from laggroam.edge import history

    (tmp_path / "journal.jsonl").write_text(json.dumps(record) + "\n")
    info = history.summary(Store(tmp_path))
    text = history.render(info)
    assert text.startswith("last reconcile: ")
    json.dumps(info)
