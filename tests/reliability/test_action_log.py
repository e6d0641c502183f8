"""Each action a reconcile takes is logged on one line: its command, why, and how it ended,
under the reconcile's id (laggroam.ini(5): log_level info "logs each action taken and why")."""

import logging

import pytest
from relhelp import Host, failing

from laggroam.edge.logsetup import setup

FORCERESTART = ("service", "dhclient", "forcerestart", "lagg0")


def test_each_action_logs_its_command_reason_and_outcome(
    host: Host, caplog: pytest.LogCaptureFixture
) -> None:
    host.sim("unplug", "em0")
    with caplog.at_level(logging.INFO, logger="laggroam.edge.reconcile"):
        outcome = host.reconcile()
    assert [d.ok for d in outcome.done] == [True]
    (action,) = outcome.done
    lines = [r for r in caplog.records if "ran " in r.getMessage()]
    assert [r.getMessage() for r in lines] == [
        f"reconcile {outcome.id}: ran {action.action.command()},"
        f" because {action.action.reason}: done"
    ]
    assert lines[0].levelno == logging.INFO
    summary = caplog.records[-1].getMessage()
    assert summary.startswith(f"reconcile {outcome.id}: 1 action(s), 0 failed")


def test_a_failed_action_is_a_warning_with_its_detail(
    host: Host, caplog: pytest.LogCaptureFixture
) -> None:
    host.sim("unplug", "em0")
    host.fault(failing(*FORCERESTART))
    with caplog.at_level(logging.INFO, logger="laggroam.edge.reconcile"):
        outcome = host.reconcile()
    (done,) = outcome.done
    (line,) = [r for r in caplog.records if "ran " in r.getMessage()]
    assert line.levelno == logging.WARNING
    message = line.getMessage()
    assert message.startswith(
        f"reconcile {outcome.id}: ran service dhclient forcerestart lagg0, because "
    )
    assert message.endswith(f": FAILED: {done.detail}")
    assert "injected failure" in message


def test_the_daemons_log_format_carries_the_id_on_every_action_line(
    host: Host, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        setup("stderr", "info")
        host.sim("unplug", "em0")
        outcome = host.reconcile()
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    err = capsys.readouterr().err
    ran = [line for line in err.splitlines() if ": ran " in line]
    assert len(ran) == 1
    assert f"[{outcome.id}] reconcile {outcome.id}: ran service dhclient" in ran[0]
