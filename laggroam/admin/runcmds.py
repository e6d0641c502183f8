"""The verbs that act: ``apply``, ``daemon`` and ``devd``."""

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from laggroam.exitcodes import EX_CONFIG, EX_NOINPUT, EX_OK, EX_UNAVAILABLE

if TYPE_CHECKING:
    from collections.abc import Sequence

    from laggroam.devd.devdline import DevdEvent
    from laggroam.devd.intake import Intake
    from laggroam.edge.system import System

from laggroam.admin.common import (
    PROG,
    UsageError,
    _devd_config,
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
    intakes = _intakes(args.event, args.devd)
    system = _system(args)
    _chain(args, system, [i.devd for i in intakes if i.devd is not None])
    events = [i.event for i in intakes if i.event is not None]
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


def _intakes(texts: "Sequence[str]", devd_line: str | None) -> "list[Intake]":
    """``--event TEXT`` (each) and ``--devd LINE``, taken in as the daemon takes a hook's line."""
    from laggroam.devd.intake import IntakeError, Source, take_in

    given = [("--event", t, Source.EVENT) for t in texts]
    if devd_line:
        given.append(("--devd", devd_line, Source.DEVD))
    out = []
    for option, text, source in given:
        try:
            out.append(take_in(text, source))
        except IntakeError as exc:
            raise UsageError(f"{option}: {exc}") from None
    return out


def _chain(args: argparse.Namespace, system: "System", events: "list[DevdEvent]") -> None:
    """Run the stock rules laggroam's own shadowed for these devd events, as the daemon does."""
    from laggroam.devd.chain import StockRules

    StockRules(
        lambda: system.observe(dhcp_ifaces=[], wpa_ifaces=[], wlans=[]),
        root=_site(args).root,
        sh=system.programs.sh,
        path=system.programs.path,
        vm_guest=system.vm_guest,
    ).run(events)


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
