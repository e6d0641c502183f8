"""A flapping cable: hundreds of LINK_UP/LINK_DOWN become a few reconciles."""

from daemonhelp import Daemon, flap

# 25 unplug/plug pairs and a last unplug, each change signalled 8 times: 408 messages.
PAIRS, REPEAT = 25, 8


def test_flapping_cable_few_reconciles_right_end_state(daemon: Daemon) -> None:
    before = daemon.wait_ready()
    n = len(daemon.journal())
    sent, seconds = flap(daemon, PAIRS, REPEAT)
    assert sent == 408
    # Every message was taken, and a reconcile ran after the last one.
    daemon.wait_status(
        "all messages handled",
        lambda s: s["accepted"] == before["accepted"] + sent and not s["busy"] and s["queue"] == 0,
    )
    records = daemon.journal()[n:]
    # One reconcile per max_delay (1 s) of flapping at most, plus the last one.
    assert 1 <= len(records) <= 2 + int(seconds), (len(records), seconds)
    assert set(records[0]["events"]) == {"LINK_DOWN em0", "LINK_UP em0"}
    assert records[-1]["converged"] is True
    assert daemon.active_when_converged() == "wlan0"
