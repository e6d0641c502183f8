"""The ``laggroam`` command line: every verb and option, and usage errors as exit 64."""

import argparse
import sys
from typing import NoReturn, TypeAlias

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


# What add_subparsers returns: one add_parser per verb.
Verbs: TypeAlias = "argparse._SubParsersAction[_Parser]"

SITE_HELP = "act on the host DIR/site.ini describes, not this one (--sim: the same)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Keep lagg(4) failover right as links come and go.")
    parser.add_argument("-c", "--config", metavar="POLICY", help=f"policy file ({DEFAULT_POLICY})")
    parser.add_argument("--site", "--sim", dest="site_dir", metavar="DIR", help=SITE_HELP)
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more, down to debugging"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="log only errors")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_verb in (_check, _init, _status, _plan, _apply, _daemon, _devd):
        add_verb(sub)
    return parser


def _check(sub: Verbs) -> None:
    """check: the policy, or the roaming setup in rc.conf."""
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


def _init(sub: Verbs) -> None:
    """init: a policy from the setup rc.conf has."""
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


def _status(sub: Verbs) -> None:
    """status: the host against the policy."""
    p = sub.add_parser(
        "status",
        help="laggs, ports, active port, wlan, DHCP",
        description="Show each lagg, its ports, the active one, the wlan and DHCP; what differs"
        " from the policy; what the last reconcile did, what laggroam waits for, and the daemon.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--from-ifconfig", metavar="FILE", help="read a captured ifconfig output")
    _common(p)


def _plan(sub: Verbs) -> None:
    """plan: what a reconcile would do, touching nothing."""
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


def _apply(sub: Verbs) -> None:
    """apply: one reconcile now (what a hook starts when no daemon runs)."""
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


def _daemon(sub: Verbs) -> None:
    """daemon: the long-running service."""
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


def _devd(sub: Verbs) -> None:
    """devd explain and devd check: devd's rules as devd reads them."""
    p = sub.add_parser(
        "devd",
        help="devd rules as devd reads them: explain, check",
        description="Read devd's rules as devd reads them.",
    )
    devd_sub = p.add_subparsers(dest="devd_command", required=True, metavar="VERB")
    _devd_explain(devd_sub)
    _devd_check(devd_sub)


def _devd_explain(devd_sub: Verbs) -> None:
    """devd explain: which rule devd runs for an event."""
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
    _site_option(q)


def _devd_check(devd_sub: Verbs) -> None:
    """devd check: a devd.conf parsed as devd parses it."""
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
    _site_option(q)


def _common(p: argparse.ArgumentParser) -> None:
    """The global -c and --site, which may also follow the command."""
    p.add_argument(
        "-c",
        "--config",
        dest="sub_config",
        metavar="POLICY",
        help=f"policy file ({DEFAULT_POLICY})",
    )
    _site_option(p)


def _site_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--site", "--sim", dest="sub_site", metavar="DIR", help=SITE_HELP)
