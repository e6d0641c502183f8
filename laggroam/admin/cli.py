"""The ``laggroam`` command: argument parsing and dispatch, nothing else.

Heavy modules are imported inside the verbs so that a quick command such as
``check`` pays only for what it uses.
"""

import os
import sys
from collections.abc import Sequence

from laggroam.admin.common import PROG, UsageError
from laggroam.admin.parser import build_parser
from laggroam.admin.policycmds import cmd_check, cmd_init
from laggroam.admin.runcmds import cmd_apply, cmd_daemon, cmd_devd
from laggroam.admin.statuscmds import cmd_plan, cmd_status
from laggroam.edge.site import Site, SiteError
from laggroam.exitcodes import EX_CONFIG, EX_IOERR, EX_NOINPUT, EX_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    _setup_logging(args.verbose, args.quiet)
    if getattr(args, "sub_config", None):
        args.config = args.sub_config
    if getattr(args, "sub_site", None):
        args.site_dir = args.sub_site
    try:
        args.site = _open_site(args.site_dir)
    except SiteError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EX_NOINPUT if exc.missing else EX_CONFIG
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


def _open_site(site_dir: str | None) -> Site:
    """The host acted on: the one ``--site DIR`` describes, or this one."""
    return Site.load(site_dir) if site_dir else Site.real()


def _setup_logging(verbose: int, quiet: bool) -> None:
    import logging

    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 0 else logging.WARNING)
    logging.basicConfig(level=level, format=f"{PROG}: %(message)s", stream=sys.stderr)


_HANDLERS = {
    "check": cmd_check,
    "init": cmd_init,
    "status": cmd_status,
    "plan": cmd_plan,
    "apply": cmd_apply,
    "daemon": cmd_daemon,
    "devd": cmd_devd,
}
