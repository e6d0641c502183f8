"""The ``laggroam`` command line: every verb and option, and usage errors as exit 64."""

import argparse
import sys
from typing import NoReturn

from laggroam import __version__
from laggroam.admin.common import DEFAULT_POLICY, PROG
from laggroam.exitcodes import EX_USAGE


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

    try:  # the simulator is a package of its own, installed beside laggroam or not
        from laggroam_sim.verbs import USAGE as SIM_VERBS
    except ImportError:
        SIM_VERBS = ""
    p = sub.add_parser(
        "sim",
        help="drive a simulated host (needs --sim DIR)",
        description="Drive the simulated FreeBSD host kept in DIR: change its world, look at it.",
        epilog=SIM_VERBS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
