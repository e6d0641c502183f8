"""The simulator's store: one locked JSON state, atomic saves, an append-only journal."""

import json
import subprocess
from pathlib import Path

import pytest
from laggroam_sim import journal, standin, standinmain
from laggroam_sim.cli import main
from laggroam_sim.model import SimState, from_json, to_json
from laggroam_sim.state import STATE, Sim, SimError, read_only


@pytest.fixture
def host(tmp_path: Path) -> Path:
    assert main(["init", "laptop"], tmp_path) == 0
    return tmp_path


def test_state_round_trips_through_json(host: Path) -> None:
    state = read_only(host)
    again = from_json(SimState, json.loads(json.dumps(to_json(state))))
    assert again == state


def test_a_failed_operation_saves_nothing(host: Path) -> None:
    before = (host / STATE).read_text()
    seq = journal.last_seq(host)
    with pytest.raises(RuntimeError), Sim.open(host) as sim:
        sim.state.interfaces["em0"].cable = None
        sim.emit("!system=IFNET subsystem=em0 type=LINK_DOWN")
        raise RuntimeError("crash in the middle of an operation")
    assert (host / STATE).read_text() == before
    assert journal.last_seq(host) == seq
    assert not list(host.glob(".state.json.*"))


def test_journal_numbers_events_and_ignores_a_torn_line(host: Path) -> None:
    events = journal.read(host)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    with open(host / journal.JOURNAL, "a") as f:
        f.write("99\t0\t!system=IFNET subsys")  # a crash mid-append, no newline
    assert journal.last_seq(host) == len(events)
    main(["unplug", "em0"], host)
    later = journal.read(host, len(events))
    assert [(e.seq, e.line) for e in later] == [
        (len(events) + 1, "!system=IFNET subsystem=em0 type=LINK_DOWN")
    ]
    assert "subsys\n" not in (host / journal.JOURNAL).read_text()


def test_concurrent_stand_ins_serialise_on_the_lock(host: Path) -> None:
    ifconfig = str(host / "bin" / "ifconfig")
    booted = len(read_only(host).write_calls)  # what devd's stock rules ran at boot
    procs = [
        subprocess.Popen([ifconfig, "lagg0", "up"], stdout=subprocess.DEVNULL) for _ in range(6)
    ]
    for proc in procs:
        assert proc.wait(timeout=60) == 0
    assert len(read_only(host).write_calls) == booted + 6


def test_damaged_state_is_a_one_line_error(host: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (host / STATE).write_text('{"release": 15}')
    with pytest.raises(SimError, match=r"state\.json: state\.release: expected a string"):
        read_only(host)
    assert standinmain.main("ifconfig", ["-a"], host) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "state.json" in err


def test_no_host_yet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show"], tmp_path) == 69
    assert "no simulated host here" in capsys.readouterr().err


def test_looking_does_not_rewrite_the_state(host: Path) -> None:
    before = (host / STATE).stat()
    standin.execute("ifconfig", ["-a"], host)
    standin.execute("service", ["dhclient", "status", "lagg0"], host)
    after = (host / STATE).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    standin.execute("ifconfig", ["em0", "down"], host)
    assert (host / STATE).stat().st_ino != before.st_ino
