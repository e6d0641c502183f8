"""The verbs that look without acting: ``status`` and ``plan``."""

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from laggroam.exitcodes import EX_OK, EX_UNAVAILABLE

if TYPE_CHECKING:
    from laggroam.config.policy import Policy
    from laggroam.core.host import Host
    from laggroam.core.plan import Plan

from laggroam.admin.common import (
    PROG,
    _daemon_status,
    _events,
    _history,
    _host_path,
    _load_policy,
    _policy_path,
    _read_capture,
    _state_store,
    _status_policy,
    _system,
)


def _wanted_ether(pol: "Policy", host: "Host", args: argparse.Namespace) -> dict[str, str]:
    """lagg -> the MAC the policy wants it to wear, where it wears another one.

    The planner decides the MAC (a port's own, an address, or the remembered
    one); asking it keeps ``status`` and ``plan`` from disagreeing.  Back-off
    is ignored here: a MAC waiting for a retry is still the wrong one.
    """
    import time
    from dataclasses import replace

    from laggroam.core import plan
    from laggroam.core.action import SetEther

    memory = _state_store(args, pol).load_memory()
    result = plan.plan(pol, host, replace(memory, failures={}), [], time.time())
    laggs = {lagg.name for lagg in pol.laggs}
    return {
        a.target: a.mac
        for a in result.actions
        if isinstance(a, SetEther) and a.target in laggs and host.get(a.target) is not None
    }


def cmd_status(args: argparse.Namespace) -> int:
    from laggroam.admin import report

    if args.from_ifconfig:
        captured = _read_capture(args.from_ifconfig)
        if isinstance(captured, int):
            return captured
        host = captured
    else:
        from laggroam.edge.system import ObserveError

        try:
            host = _system(args).observe()
        except ObserveError as exc:
            print(f"{PROG}: cannot observe the host: {exc}", file=sys.stderr)
            return EX_UNAVAILABLE
    pol, problem = _status_policy(args)
    live = not args.from_ifconfig
    history = _history(args, pol) if live else None
    daemon = _daemon_status(args, pol) if live else None
    ether = _wanted_ether(pol, host, args) if pol is not None else {}
    if args.json:
        import json

        doc = report.host_json(host)
        doc["policy"] = {"path": _policy_path(args), "used": pol is not None, "problem": problem}
        doc["ether_wanted"] = ether
        if not args.from_ifconfig:
            doc["reconcile"] = history
            doc["daemon"] = daemon
        print(json.dumps(doc, indent=2))
    else:
        expected = {lagg.name: lagg.ports for lagg in pol.laggs} if pol is not None else None
        print(report.render_text(host, expected, ether), end="")
        if problem is not None:
            print(f"warning: {problem}")
        if history is not None:
            from laggroam.edge import history as history_mod

            print(history_mod.render(history), end="")
        if not args.from_ifconfig:
            from laggroam.daemon.daemonstatus import render_status

            print(render_status(daemon), end="")
    return EX_OK


def cmd_plan(args: argparse.Namespace) -> int:
    import time
    from dataclasses import replace

    from laggroam.core import plan
    from laggroam.edge.store import Store

    pol = _load_policy(args, last_good=True)
    if isinstance(pol, int):
        return pol
    events = _events(args.event)
    if args.from_ifconfig:
        captured = _read_capture(args.from_ifconfig)
        if isinstance(captured, int):
            return captured
        host = captured
        # A capture shows no daemons and perhaps not every interface.
        host = replace(host, partial=True)
    else:
        from laggroam.edge.reconcile import observe_for
        from laggroam.edge.system import ObserveError

        try:
            host = observe_for(_system(args), pol)
        except ObserveError as exc:
            print(f"{PROG}: cannot observe the host: {exc}", file=sys.stderr)
            return EX_UNAVAILABLE
    memory = Store(_host_path(args, pol.daemon.state_dir)).load_memory()
    now = time.time()
    prediction = None
    if events:
        # Plan on the host as the kernel would leave it after the events.
        prediction, memory = plan.predict_for(pol, host, memory, events, now)
        host = prediction.host
    result = plan.plan(pol, host, memory, events, now)
    # A lagg the capture does not show is not planned: "matches" would be a guess.
    unseen = [lagg.name for lagg in pol.laggs if host.get(lagg.name) is None]
    unseen = unseen if args.from_ifconfig else []
    if args.json:
        import json

        from laggroam.admin.report import prediction_json

        doc = _plan_json(result, now, unseen)
        doc["prediction"] = prediction_json(prediction, events) if prediction else None
        print(json.dumps(doc, indent=2, sort_keys=True))
    else:
        if prediction is not None:
            from laggroam.admin.report import render_prediction

            print(render_prediction(prediction, events), end="")
        print(_plan_text(result, now, unseen), end="")
    return EX_OK


def _plan_json(result: "Plan", now: float, unseen: Sequence[str]) -> dict[str, object]:
    from laggroam.edge import pending

    return {
        "actions": [
            {"action": a.verb, "target": a.target, "command": a.command(), "reason": a.reason}
            for a in result.actions
        ],
        "notes": list(result.notes),
        "wake_at": result.wake_at,
        "waiting": pending.from_memory(result.memory, now),
        "not_shown": list(unseen),
    }


def _nothing_to_do(result: "Plan", now: float, unseen: Sequence[str]) -> str:
    """The headline of an empty plan: "matches" only when nothing is unseen or pending."""
    from laggroam.edge import pending

    if unseen:
        return f"nothing planned: the capture does not show {', '.join(unseen)}"
    if result.wake_at is not None or pending.from_memory(result.memory, now)["gave_up"]:
        return "nothing to do now: laggroam waits for what the lines below say"
    if result.notes:
        # A note is something seen and left alone: not a match.
        return "nothing to do: laggroam leaves alone what the notes below say"
    return "nothing to do: the host matches the policy"


def _plan_text(result: "Plan", now: float, unseen: Sequence[str]) -> str:
    import time

    lines = []
    if not result.actions:
        lines.append(_nothing_to_do(result, now, unseen))
    for n, action in enumerate(result.actions, 1):
        lines.append(f"{n}. {action.command()}")
        lines.append(f"   because {action.reason}")
    lines.extend(f"note: {note}" for note in result.notes)
    if result.wake_at is not None:
        at = time.strftime("%H:%M:%S", time.localtime(result.wake_at))
        lines.append(
            f"timer: the next reconcile is due in {max(0.0, result.wake_at - now):.0f}s"
            f" (at {at}), when the wait above ends"
        )
    return "\n".join(lines) + "\n"
