"""``laggroam-sim``: the simulator's own command, outside the product.

``laggroam-sim demo [--dir DIR] [--step] [--json]`` tells the roaming story;
``laggroam-sim --dir DIR VERB ...`` drives the simulated host kept in DIR
(``laggroam_sim.cli``).  laggroam itself acts on such a host with
``laggroam --site DIR``.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from laggroam_sim.verbs import USAGE

PROG = "laggroam-sim"
EX_USAGE = 64  # sysexits.h
EX_CANTCREAT = 73


class _Parser(argparse.ArgumentParser):
    """Bad usage is exit 64, as for laggroam (sysexits.h EX_USAGE), not argparse's 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{PROG}: {message}", file=sys.stderr)
        sys.exit(EX_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="A simulated FreeBSD laptop for laggroam: tell the demo, or drive the host.",
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dir", metavar="DIR", help="the directory that keeps the host")
    parser.add_argument("verb", nargs="?", metavar="VERB", help="demo, or a verb below")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the verb's arguments")
    return parser


def demo_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=f"{PROG} demo",
        description="Tell the roaming story on a simulated laptop, step by step.",
    )
    parser.add_argument("--dir", metavar="DIR", help="keep the simulated host in DIR")
    parser.add_argument("--step", action="store_true", help="wait for Enter between steps")
    parser.add_argument("--json", action="store_true", help="print the story as one JSON object")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.verb in (None, "help"):
        print(USAGE)
        return 0 if args.verb else EX_USAGE
    if args.verb == "demo":
        return demo(args.args, args.dir)
    if not args.dir:
        print(f"{PROG}: {args.verb} needs --dir DIR ({PROG} help lists the verbs)", file=sys.stderr)
        return EX_USAGE
    from laggroam_sim.cli import main as run_verb

    return run_verb([args.verb, *args.args], Path(args.dir))


def demo(argv: list[str], default_dir: str | None) -> int:
    """``demo``: the story, in a fresh temporary directory unless ``--dir`` keeps it."""
    args = demo_parser().parse_args(argv)
    keep = args.dir or default_dir
    if keep:
        where = Path(keep)
        try:
            if where.exists() and not where.is_dir():
                raise NotADirectoryError(20, "not a directory")
            where.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"{PROG}: --dir {keep}: {exc.strerror or exc}", file=sys.stderr)
            return EX_CANTCREAT
    from laggroam_sim.demo import run_demo

    return run_demo(keep, step=args.step, as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
