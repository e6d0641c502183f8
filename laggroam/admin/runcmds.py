"""The verbs that act: ``apply``, ``daemon`` and ``devd``."""

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from laggroam.exitcodes import EX_CONFIG, EX_NOINPUT, EX_OK, EX_UNAVAILABLE

if TYPE_CHECKING:
    from laggroam.core.event import Event
    from laggroam.edge.system import System

from laggroam.admin.common import (
    PROG,
    UsageError,
    _devd_config,
    _events,
    _host_path,
    _load_policy,
    _media_source,
    _policy_path,
    _site,
    _system,
    _vm_guest,
)


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
        root=_site(args).root,
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
        _site(args),
        socket_path=Path(args.socket) if args.socket else None,
    )
    return daemon.run()


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
