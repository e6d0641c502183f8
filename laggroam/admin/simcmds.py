"""The simulator's verbs: ``sim`` and ``demo``."""

import argparse
import sys
from pathlib import Path

from laggroam.admin.common import PROG, UsageError
from laggroam.exitcodes import EX_OK


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
