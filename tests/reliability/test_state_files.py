"""State files: a FIFO or device planted in the state dir blocks nothing; the journal keeps
its newest records, bounded each, and one bad record never costs the others."""

import json
import os
import threading
from pathlib import Path

import pytest

from laggroam.core.event import Event
from laggroam.daemon.daemonstatus import read_status
from laggroam.edge import store as store_mod
from laggroam.edge.runner import Result
from laggroam.edge.store import JOURNAL_MAX_BYTES, JOURNAL_MAX_RECORD, Store


def _in_thread(fn: object) -> object:
    """Run ``fn`` where a hang fails the test instead of the suite."""
    out: list[object] = []
    t = threading.Thread(target=lambda: out.append(fn()), daemon=True)  # type: ignore[operator]
    t.start()
    t.join(timeout=30)
    assert not t.is_alive(), "blocked on a special file"
    return out[0] if out else None


@pytest.mark.parametrize(
    "name",
    ["state.json", "journal.jsonl", "daemon.pid", "daemon.json", "pending", "reconcile.lock"],
)
def test_a_fifo_in_the_state_dir_blocks_nothing(tmp_path: Path, name: str) -> None:
    store = Store(tmp_path / "db")
    store.ensure()
    os.mkfifo(store.dir / name)
    _in_thread(store.load_memory)
    _in_thread(store.read_journal)
    _in_thread(lambda: read_status(store))
    if name == "pending":
        _in_thread(lambda: store.request_followup([Event("RESUME")]))
        assert _in_thread(store.take_followup) == [Event("RESUME")]
    if name == "journal.jsonl":
        with pytest.raises(OSError, match="not a regular file"):
            store.append_journal({"id": "x"})  # O_NONBLOCK: refused at once


def test_the_trim_keeps_the_newest_records(tmp_path: Path) -> None:
    store = Store(tmp_path / "db")
    n = 0
    while (store.dir / "journal.jsonl").exists() is False or n < 4000:
        store.append_journal({"id": f"r{n}", "pad": "x" * 200})
        n += 1
    assert os.path.getsize(store.dir / "journal.jsonl") <= JOURNAL_MAX_BYTES
    records = store.read_journal(last=5)
    assert [r["id"] for r in records] == [f"r{i}" for i in range(n - 5, n)]


def test_a_journal_grown_past_any_bound_still_gives_its_newest(tmp_path: Path) -> None:
    store = Store(tmp_path / "db")
    store.ensure()
    old = "".join(json.dumps({"id": f"old{i}", "pad": "y" * 500}) + "\n" for i in range(5000))
    (store.dir / "journal.jsonl").write_text(old)  # 2.5 MB, beyond the reader's window
    store.append_journal({"id": "newest"})
    assert store.read_journal(last=1)[0]["id"] == "newest"


def test_one_huge_record_is_cut_and_costs_no_other(tmp_path: Path) -> None:
    store = Store(tmp_path / "db")
    store.append_journal({"id": "before"})
    store.append_journal({"id": "huge", "time": 1.0, "notes": ["z" * (4 * JOURNAL_MAX_BYTES)]})
    store.append_journal({"id": "after"})
    records = store.read_journal()
    assert [r["id"] for r in records] == ["before", "huge", "after"]
    assert "cut to its summary" in records[1]["notes"][0]
    assert all(len(json.dumps(r)) < JOURNAL_MAX_RECORD for r in records)
    assert store_mod.JOURNAL_MAX_RECORD == JOURNAL_MAX_RECORD


def test_the_chained_rule_is_named_and_a_quiet_refusal_is_no_problem() -> None:
    from laggroam.devd import chain

    assert chain.rule_name("/etc/devd.conf", "service dhclient quietstart em0") == (
        "the stock dhclient rule"
    )
    assert chain.rule_name("/usr/local/etc/devd/x.conf", "/etc/pccard_ether em0 start") == (
        "the pccard_ether rule of /usr/local/etc/devd/x.conf"
    )
    quiet = Result(("sh", "-c", "x"), 1)
    assert "not a DHCP-enabled interface" in (
        chain.by_design("service dhclient quietstart em0", quiet) or ""
    )
    loud = Result(("sh", "-c", "x"), 1, stderr="boom")
    assert chain.by_design("service dhclient quietstart em0", loud) is None
    assert chain.by_design("service dhclient start em0", quiet) is None
    assert chain.by_design("/etc/rc.resume acpi 3", quiet) is None
