"""The ``laggroam`` command: argument parsing and dispatch, nothing else.

Heavy modules are imported inside the verbs so that a quick command such as
``check`` pays only for what it uses.
"""

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from laggroam import __version__
from laggroam.exitcodes import (
    EX_CONFIG,
    EX_DATAERR,
    EX_IOERR,
    EX_NOINPUT,
    EX_OK,
    EX_UNAVAILABLE,
    EX_USAGE,
)

if TYPE_CHECKING:
    from laggroam.config.policy import Policy
    from laggroam.core.event import Event
    from laggroam.core.host import Host
    from laggroam.core.plan import Plan
    from laggroam.devd.devdconf import Config as DevdConfig
    from laggroam.edge.store import Store
    from laggroam.edge.system import System

DEFAULT_POLICY = "/usr/local/etc/laggroam/laggroam.ini"
PROG = "laggroam"


class UsageError(Exception):
    """Bad usage: reported on one line, exit 64 (EX_USAGE)."""


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad usage; sysexits wants 64 (sysexits.h EX_USAGE)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{PROG}: {message}", file=sys.stderr)
        sys.exit(EX_USAGE)


EVENT_HELP = "as if EVENT had just happened: 'LINK_DOWN em0', 'ATTACH wlan0' (repeatable)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Keep lagg(4) failover right as links come and go.")
    parser.add_argument("-c", "--config", metavar="POLICY", help=f"policy file ({DEFAULT_POLICY})")
    parser.add_argument("--sim", metavar="DIR", help="act on the simulated host in DIR")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more, down to debugging"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="log only errors")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "check",
        help="validate the policy: exit 0, or 78 with FILE:LINE: message",
        description="Validate the policy: print nothing and exit 0 when it is good, or every"
        " problem as FILE:LINE: message and exit 78.  Then warn, at FILE:LINE, about the"
        " ports, radios and laggs it names that the host (or a capture) does not have.",
    )
    _common(p)
    p.add_argument(
        "--rc-conf",
        nargs="?",
        const="",
        metavar="FILE",
        help="check the roaming setup in rc.conf instead of the policy (default: /etc/rc.conf"
        " and what follows it)",
    )
    p.add_argument(
        "--from-ifconfig",
        metavar="FILE",
        help="check the interfaces against a captured ifconfig -a output, not this host",
    )
    p.add_argument(
        "--strict", action="store_true", help="exit 78 when the host lacks what the policy names"
    )

    p = sub.add_parser(
        "init",
        help="write a policy from an existing setup",
        description="Write a policy for the roaming setup rc.conf already has, and print the"
        " sysrc commands that would make rc.conf agree with it (laggroam never edits rc.conf).",
    )
    p.add_argument(
        "--from-rc-conf",
        nargs="?",
        const="",
        required=True,
        metavar="FILE",
        help="read the roaming setup from rc.conf (default: /etc/rc.conf and what follows it)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="POLICY",
        help="write the policy here (default: -c, or the default policy)",
    )
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing policy")
    p.add_argument(
        "--wireless-first",
        action="store_true",
        help="keep a wireless port as the primary, as rc.conf has it",
    )
    _common(p)

    p = sub.add_parser(
        "status",
        help="laggs, ports, active port, wlan, DHCP",
        description="Show each lagg, its ports, the active one, the wlan and DHCP; what differs"
        " from the policy; what the last reconcile did, what laggroam waits for, and the daemon.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--from-ifconfig", metavar="FILE", help="read a captured ifconfig output")
    _common(p)

    p = sub.add_parser(
        "plan",
        help="what would be done, and why (touches nothing)",
        description="Show the commands a reconcile would run now, each with its reason, and what"
        " laggroam waits for (retries, holds); change nothing.",
    )
    p.add_argument("--event", action="append", default=[], metavar="EVENT", help=EVENT_HELP)
    p.add_argument("--from-ifconfig", metavar="FILE", help="plan on a captured ifconfig output")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    _common(p)

    p = sub.add_parser(
        "apply",
        help="one reconcile now",
        description="Reconcile once, now: observe the host, run the commands that close the gap"
        " with the policy, and check their effect.  Exit 75 when a command failed.",
    )
    p.add_argument("--event", action="append", default=[], metavar="EVENT", help=EVENT_HELP)
    p.add_argument("--devd", metavar="LINE", help="the devd event line a hook received")
    p.add_argument(
        "--coalesce",
        action="store_true",
        help="if a reconcile is running, ask it for one more round and exit at once",
    )
    _common(p)

    p = sub.add_parser(
        "daemon",
        help="the long-running service",
        description="Run the service: take the hooks' events on a socket and reconcile after"
        " each burst, and periodically.  Meant to run from the rc script.",
    )
    p.add_argument(
        "-f", "--foreground", action="store_true", help="log to stderr, not the policy's log"
    )
    p.add_argument("--socket", metavar="PATH", help="listen here instead of the policy's socket")
    _common(p)

    p = sub.add_parser(
        "devd",
        help="devd rules as devd reads them: explain, check",
        description="Read devd's rules as devd reads them.",
    )
    devd_sub = p.add_subparsers(dest="devd_command", required=True, metavar="VERB")
    q = devd_sub.add_parser(
        "explain",
        help="which rule devd runs for an event, and why",
        description="Show, rule by rule, how devd matches EVENT, which rule it runs, and which"
        " stock rule laggroam runs in place of the one its own rule shadows.",
    )
    q.add_argument("event", metavar="EVENT", help="a devd event line, e.g. '!system=IFNET ...'")
    q.add_argument(
        "--devd-conf", action="append", default=[], metavar="PATH", help="file or directory"
    )
    q.add_argument(
        "--media",
        action="append",
        default=[],
        metavar="IF=TYPE",
        help="IF's media type (ethernet, 802.11, atm, unknown) instead of observing the host",
    )
    q.add_argument(
        "--from-ifconfig",
        metavar="FILE",
        help="read the media types from a captured ifconfig output instead",
    )
    q.add_argument(
        "--vm-guest",
        metavar="NAME",
        help="devd's $vm_guest (kern.vm_guest: none, hv, kvm, ...) instead of this host's",
    )
    _sim_option(q)
    q = devd_sub.add_parser(
        "check",
        help="validate a devd.conf file as devd parses it",
        description="Parse FILE, or the host's whole devd configuration, as devd does: exit 78"
        " with FILE:LINE: message for a syntax error, and warn about what devd accepts"
        " silently but surely was not meant.",
    )
    q.add_argument(
        "file", nargs="?", metavar="FILE", help="default: the host's whole configuration"
    )
    _sim_option(q)

    p = sub.add_parser(
        "demo",
        help="the roaming story on a simulated host",
        description="Tell the roaming story on a simulated laptop, step by step.",
    )
    p.add_argument("--dir", metavar="DIR", help="keep the simulated host in DIR")
    p.add_argument("--step", action="store_true", help="wait for Enter between steps")
    p.add_argument("--json", action="store_true", help="print the story as one JSON object")

    p = sub.add_parser(
        "sim",
        help="drive a simulated host (needs --sim DIR)",
        description="Drive the simulated FreeBSD host kept in DIR: change its world, look at it.",
    )
    p.add_argument("args", nargs=argparse.REMAINDER, help="sim verb and its arguments")
    return parser


def _common(p: argparse.ArgumentParser) -> None:
    """The global -c and --sim, which may also follow the command."""
    p.add_argument(
        "-c",
        "--config",
        dest="sub_config",
        metavar="POLICY",
        help=f"policy file ({DEFAULT_POLICY})",
    )
    _sim_option(p)


def _sim_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sim", dest="sub_sim", metavar="DIR", help="act on the simulated host in DIR")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    _setup_logging(args.verbose, args.quiet)
    if getattr(args, "sub_config", None):
        args.config = args.sub_config
    if getattr(args, "sub_sim", None):
        args.sim = args.sub_sim
    try:
        handler = _HANDLERS[args.command]
        return handler(args)
    except UsageError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EX_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``laggroam status | head``): say nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EX_IOERR


def _setup_logging(verbose: int, quiet: bool) -> None:
    import logging

    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 0 else logging.WARNING)
    logging.basicConfig(level=level, format=f"{PROG}: %(message)s", stream=sys.stderr)


def _policy_path(args: argparse.Namespace) -> str:
    return str(args.config or _host_path(args, DEFAULT_POLICY))


def _rc_paths(args: argparse.Namespace, given: str) -> list[Path]:
    from laggroam.rc.rcconf import default_rc_paths

    if given:
        return [Path(given)]
    return default_rc_paths(_host_path(args, "/") if args.sim else Path("/"))


def cmd_check_rc_conf(args: argparse.Namespace) -> int:
    """Warnings for rc.conf's roaming setup; 78 only for what cannot work."""
    from laggroam.config import policy
    from laggroam.rc.rcadvice import check_rc_conf
    from laggroam.rc.rcconf import RcConfError

    pol = None
    if args.config or os.path.exists(_policy_path(args)):
        with contextlib.suppress(policy.PolicyErrors, OSError):
            pol = policy.load(_policy_path(args))
    try:
        result = check_rc_conf(_rc_paths(args, args.rc_conf), pol, _own_macs(args))
    except RcConfError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EX_NOINPUT
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    return EX_CONFIG if result.fatal else EX_OK


def _own_macs(args: argparse.Namespace) -> dict[str, str]:
    """Each interface's own MAC on this host (or the simulated one); {} when not observable."""
    import platform

    if not (args.sim or platform.system() == "FreeBSD"):
        return {}
    from laggroam.core.plan import own_mac
    from laggroam.edge.system import ObserveError

    try:
        host = _system(args).observe(dhcp_ifaces=[], wpa_ifaces=[])
    except ObserveError:
        return {}
    return {i.name: mac for i in host.interfaces if (mac := own_mac(i)) is not None}


def cmd_init(args: argparse.Namespace) -> int:
    from laggroam.exitcodes import EX_CANTCREAT
    from laggroam.rc.rcconf import RcConfError
    from laggroam.rc.rcinit import init_from_rc_conf, write_policy

    out = Path(args.output or _policy_path(args))
    # Say first what would stop the policy from being written, not after the findings.
    if not args.force and os.path.lexists(out):
        print(f"{PROG}: {out}: exists; use -f to overwrite it", file=sys.stderr)
        return EX_CANTCREAT
    if not out.parent.is_dir():
        print(
            f"{PROG}: {out.parent}: no such directory (is laggroam installed?"
            " -o POLICY writes the policy elsewhere)",
            file=sys.stderr,
        )
        return EX_CANTCREAT
    try:
        result = init_from_rc_conf(
            _rc_paths(args, args.from_rc_conf),
            prefer_wireless_first=args.wireless_first,
            own_macs=_own_macs(args),
        )
    except RcConfError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EX_NOINPUT
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if result.fatal:
        return EX_CONFIG
    try:
        write_policy(out, result.policy_text, force=args.force)
    except FileExistsError:
        print(f"{PROG}: {out}: exists; use -f to overwrite it", file=sys.stderr)
        return EX_CANTCREAT
    except OSError as exc:
        print(f"{PROG}: {out}: {exc.strerror or exc}", file=sys.stderr)
        return EX_CANTCREAT
    if not result.sysrc:
        print(f"# wrote {out}; rc.conf already agrees with it (laggroam never edits rc.conf)")
        return EX_OK
    print(f"# wrote {out}; laggroam never edits rc.conf.  Recommended changes:")
    for command in result.sysrc:
        print(command)
    return EX_OK


def cmd_check(args: argparse.Namespace) -> int:
    from laggroam.config import policy

    if args.rc_conf is not None:
        return cmd_check_rc_conf(args)
    path = _policy_path(args)
    try:
        pol = policy.load(path)
    except policy.PolicyErrors as exc:
        for err in exc.errors:
            print(err, file=sys.stderr)
        return EX_CONFIG
    except OSError as exc:
        print(f"{PROG}: {path}: {exc.strerror or exc}", file=sys.stderr)
        return EX_NOINPUT
    return _check_on_host(args, pol)


def _check_on_host(args: argparse.Namespace, pol: "Policy") -> int:
    """Warn about the interfaces the policy names that the host (or a capture) lacks."""
    import platform

    from laggroam.config import hostcheck

    if args.from_ifconfig:
        captured = _read_capture(args.from_ifconfig)
        if isinstance(captured, int):
            return captured
        host = captured
    elif args.sim or platform.system() == "FreeBSD":
        from laggroam.edge.system import ObserveError

        try:
            host = _system(args).observe(dhcp_ifaces=[], wpa_ifaces=[])
        except ObserveError as exc:
            print(
                f"{PROG}: interfaces not checked: cannot observe the host: {exc}", file=sys.stderr
            )
            return EX_UNAVAILABLE if args.strict else EX_OK
    else:
        return EX_OK  # not a FreeBSD host: its interfaces say nothing about the policy's
    try:
        text = Path(pol.path).read_bytes()
    except OSError:
        text = b""
    lines = hostcheck.key_lines(text, pol.path)
    found = hostcheck.check_policy_on_host(pol, host, lines, capture=bool(args.from_ifconfig))
    for warning in found:
        print(warning, file=sys.stderr)
    return EX_CONFIG if found and args.strict else EX_OK


def _status_policy(args: argparse.Namespace) -> "tuple[Policy | None, str | None]":
    """The policy ``status`` compares with, loaded once, or None and why there is none."""
    from laggroam.config import policy

    path = _policy_path(args)
    if not args.config and not os.path.exists(path):
        return None, f"no policy at {path}: nothing to compare the host with"
    try:
        return policy.load(path), None
    except policy.PolicyErrors as exc:
        problem = str(exc.errors[0])
    except OSError as exc:
        problem = f"{path}: {exc.strerror or exc}"
    return None, f"policy not used: {problem}"


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


def _state_store(args: argparse.Namespace, pol: "Policy | None") -> "Store":
    """The state directory: the policy's, or the default one when there is no policy."""
    from laggroam.config import policy
    from laggroam.edge.store import Store

    state_dir = (pol.daemon if pol is not None else policy.DaemonPolicy()).state_dir
    return Store(_host_path(args, state_dir))


def _daemon_status(args: argparse.Namespace, pol: "Policy | None") -> "dict[str, object] | None":
    """The running daemon's status file; None when no daemon runs."""
    from laggroam.daemon.daemonstatus import read_status

    return read_status(_state_store(args, pol))


def _history(args: argparse.Namespace, pol: "Policy | None") -> "dict[str, object]":
    """What laggroam did last on this host, and what it waits for."""
    from laggroam.edge import history

    return history.summary(_state_store(args, pol))


def _read_capture(path: str) -> "Host | int":
    """A captured ifconfig output as a host, or the exit status after saying why not."""
    from laggroam.edge import ifconfig

    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        print(f"{PROG}: {path}: {exc.strerror or exc}", file=sys.stderr)
        return EX_NOINPUT
    try:
        return ifconfig.parse_host(text)
    except ifconfig.IfconfigError as exc:
        print(f"{PROG}: {path}:{exc.line_no}: {exc.message}", file=sys.stderr)
        return EX_DATAERR


def _system(args: argparse.Namespace) -> "System":
    from laggroam.core.programs import Programs
    from laggroam.edge.system import System, sim_programs

    programs = sim_programs(Path(args.sim)) if args.sim else Programs()
    return System(programs)


def _load_policy(args: argparse.Namespace, last_good: bool = False) -> "Policy | int":
    """The policy, or the exit code after saying why it cannot be had.

    ``last_good``: run on the last good copy when the file is refused (lastgood.py).
    """
    from laggroam.config import policy
    from laggroam.edge import lastgood

    path = _policy_path(args)
    try:
        if last_good:
            pol, fell_back = lastgood.load(Path(path), lambda p: _host_path(args, p))
            if fell_back is not None:
                print(f"{PROG}: {fell_back.describe()}", file=sys.stderr)
            return pol
        return policy.load(path)
    except policy.PolicyErrors as exc:
        for err in exc.errors:
            print(err, file=sys.stderr)
        return EX_CONFIG
    except OSError as exc:
        print(f"{PROG}: {path}: {exc.strerror or exc}", file=sys.stderr)
        return EX_NOINPUT


def _events(texts: Sequence[str]) -> "list[Event]":
    from laggroam.core.event import EventError, parse_event

    try:
        return [parse_event(t) for t in texts]
    except EventError as exc:
        raise UsageError(f"--event: {exc}") from None


def _host_path(args: argparse.Namespace, path: str) -> Path:
    """A product path (state_dir, socket) on this host: under DIR/root when simulated."""
    if args.sim:
        return Path(args.sim).resolve() / "root" / path.lstrip("/")
    return Path(path)


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


def cmd_apply(args: argparse.Namespace) -> int:
    from laggroam.edge.reconcile import locked_reconcile
    from laggroam.edge.store import Store
    from laggroam.exitcodes import EX_TEMPFAIL

    pol = _load_policy(args, last_good=True)
    if isinstance(pol, int):
        return pol
    events = _events(args.event)
    system = _system(args)
    if args.devd:
        event = _chain_devd(args, system, args.devd)
        if event is not None:
            events.append(event)
    store = Store(_host_path(args, pol.daemon.state_dir))
    outcome = locked_reconcile(system, pol, store, events, coalesce=args.coalesce)
    if outcome is None:
        return EX_OK  # a running reconcile will do one more round for us
    if not outcome.observed:
        error = outcome.error or ""
        what = error if outcome.refused else f"cannot observe the host: {error}"
        print(f"{PROG}: {what}", file=sys.stderr)
        return EX_UNAVAILABLE
    # Each failed action was logged (a warning) with its command, reason and detail.
    return EX_OK if outcome.converged and not outcome.failed else EX_TEMPFAIL


def _chain_devd(args: argparse.Namespace, system: "System", line: str) -> "Event | None":
    """Run the stock rule laggroam's own shadowed for ``line``; the event it means to us."""
    from laggroam.core.event import EventError, from_devd
    from laggroam.devd import chain
    from laggroam.devd.devdline import DevdLineError, parse_event

    try:
        devd = parse_event(line)
        event = from_devd(line[:1], devd.variables)
    except (DevdLineError, EventError) as exc:
        raise UsageError(f"--devd: {exc}") from None
    chain.chain(
        devd,
        chain.lazy_media(lambda: system.observe(dhcp_ifaces=[], wpa_ifaces=[], wlans=[])),
        root=_host_path(args, "/") if args.sim else None,
        sh=system.programs.sh,
        path=system.programs.path,
        vm_guest=system.vm_guest,
    )
    return event


def cmd_daemon(args: argparse.Namespace) -> int:
    from laggroam.daemon.loop import Daemon
    from laggroam.edge import logsetup

    pol = _load_policy(args, last_good=True)
    if isinstance(pol, int):
        return pol
    logsetup.setup("stderr" if args.foreground else pol.daemon.log, pol.daemon.log_level)
    system = _system(args)
    daemon = Daemon(
        Path(_policy_path(args)),
        pol,
        system,
        lambda p: _host_path(args, p),
        chain_root=_host_path(args, "/") if args.sim else None,
        chain_path=system.programs.path,
        socket_path=Path(args.socket) if args.socket else None,
    )
    return daemon.run()


def _devd_config(args: argparse.Namespace, paths: Sequence[str]) -> "DevdConfig":
    from laggroam.devd import chain, devdconf

    if paths:
        return devdconf.load_config([Path(p) for p in paths])
    return chain.load(_host_path(args, "/") if args.sim else None)


def cmd_devd(args: argparse.Namespace) -> int:
    from laggroam.devd import chain, devdconf, devdmatch
    from laggroam.devd.devdline import DevdLineError, parse_event

    paths = [args.file] if args.devd_command == "check" and args.file else []
    paths += getattr(args, "devd_conf", [])
    for path in paths:
        # A file named on the command line that is not there is EX_NOINPUT, not a
        # configuration problem (devd's own "cannot open" is for the files it includes).
        if not os.path.exists(path):
            print(f"{PROG}: {path}: No such file or directory", file=sys.stderr)
            return EX_NOINPUT
    try:
        config = _devd_config(args, paths)
    except devdconf.DevdConfError as exc:
        print(exc, file=sys.stderr)
        return EX_CONFIG
    except OSError as exc:
        print(f"{PROG}: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EX_NOINPUT
    if args.devd_command == "check":
        for problem in devdmatch.lint(config):
            print(f"warning: {problem}", file=sys.stderr)
        return EX_OK
    try:
        event = parse_event(args.event)
    except DevdLineError as exc:
        raise UsageError(f"event: {exc}") from None
    media_of = _media_source(args)
    if isinstance(media_of, int):
        return media_of
    config = chain.with_vm_guest(config, _vm_guest(args))
    expl = devdmatch.explain(config, event, media_of)
    print(devdmatch.render_explanation(expl))
    mine = chain.own_files(config)
    if expl.chosen is not None and expl.chosen.path in mine:
        stock = devdmatch.explain(config, event, media_of, exclude=mine)
        print("\nlaggroam's rule shadows the stock rules; laggroam then runs what devd would")
        print("have run without it:")
        if stock.chosen is None:
            print("  nothing: no stock rule matches")
        else:
            print(f"  {stock.chosen.where}:")
            for command in stock.commands:
                print(f"  {command}")
    return EX_OK


MEDIA_TYPES = ("ethernet", "802.11", "atm", "unknown")  # devd.cc media::media


def _vm_guest(args: argparse.Namespace) -> str:
    """devd's ``$vm_guest`` for ``devd explain``: given, or this host's when it is observed."""
    import platform

    from laggroam.edge.system import VM_GUEST_RE

    if args.vm_guest is not None:
        if not VM_GUEST_RE.fullmatch(args.vm_guest):
            raise UsageError(f"--vm-guest {args.vm_guest!r}: a lowercase name such as hv or none")
        return str(args.vm_guest)
    if args.from_ifconfig or args.media:
        return ""  # another machine's event: its hypervisor is not this one's
    if not args.sim and platform.system() != "FreeBSD":
        return ""
    return _system(args).vm_guest()


def _media_source(args: argparse.Namespace) -> "Callable[[str], str | None] | int":
    """Where ``devd explain`` learns an interface's media type.

    ``--media IF=TYPE`` and ``--from-ifconfig FILE`` explain an event captured
    on another machine; otherwise this host (or the simulated one) is observed.
    An interface nobody gave a type for has none, as when SIOCGIFMEDIA fails.
    """
    from laggroam.core.ifname import ifname_problem
    from laggroam.devd import chain

    given: dict[str, str] = {}
    for word in args.media:
        name, _, kind = word.partition("=")
        problem = ifname_problem(name)
        if problem is not None:
            raise UsageError(f"--media {word!r}: {problem}")
        if kind.lower() not in MEDIA_TYPES:
            raise UsageError(f"--media {word!r}: the type is one of {', '.join(MEDIA_TYPES)}")
        given[name] = kind
    host = None
    if args.from_ifconfig:
        captured = _read_capture(args.from_ifconfig)
        if isinstance(captured, int):
            return captured
        host = captured
    elif not given:
        with contextlib.suppress(Exception):
            host = _system(args).observe(dhcp_ifaces=[], wpa_ifaces=[], wlans=[])

    def media_of(name: str) -> str | None:
        if name in given:
            return given[name]
        return chain.media_type(host, name) if host is not None else None

    return media_of


def cmd_sim(args: argparse.Namespace) -> int:
    from laggroam_sim.cli import main as sim_main
    from laggroam_sim.verbs import USAGE

    if list(args.args[:1]) == ["help"]:
        print(USAGE)
        return EX_OK
    if not args.sim:
        raise UsageError("sim needs --sim DIR (laggroam sim help lists the verbs)")

    return sim_main(list(args.args), Path(args.sim))


def cmd_demo(args: argparse.Namespace) -> int:
    from laggroam_sim.demo import run_demo

    from laggroam.exitcodes import EX_CANTCREAT

    if args.dir:
        where = Path(args.dir)
        try:
            if where.exists() and not where.is_dir():
                raise NotADirectoryError(20, "not a directory")
            where.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"{PROG}: --dir {args.dir}: {exc.strerror or exc}", file=sys.stderr)
            return EX_CANTCREAT

    return run_demo(args.dir, step=args.step, as_json=args.json)


_HANDLERS = {
    "check": cmd_check,
    "init": cmd_init,
    "status": cmd_status,
    "plan": cmd_plan,
    "apply": cmd_apply,
    "daemon": cmd_daemon,
    "devd": cmd_devd,
    "demo": cmd_demo,
    "sim": cmd_sim,
}
