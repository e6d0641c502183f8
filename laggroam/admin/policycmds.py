"""The policy verbs: ``init``, ``check`` and ``check --rc-conf``."""

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from laggroam.exitcodes import EX_CONFIG, EX_NOINPUT, EX_OK, EX_UNAVAILABLE

if TYPE_CHECKING:
    from laggroam.config.policy import Policy

from laggroam.admin.common import (
    PROG,
    _load_policy,
    _observable,
    _own_macs,
    _policy_path,
    _rc_paths,
    _read_capture,
    _system,
)


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
    if args.rc_conf is not None:
        return cmd_check_rc_conf(args)
    pol = _load_policy(args)
    if isinstance(pol, int):
        return pol
    return _check_on_host(args, pol)


def _check_on_host(args: argparse.Namespace, pol: "Policy") -> int:
    """Warn about the interfaces the policy names that the host (or a capture) lacks."""
    from laggroam.config import hostcheck

    if args.from_ifconfig:
        captured = _read_capture(args.from_ifconfig)
        if isinstance(captured, int):
            return captured
        host = captured
    elif _observable(args):
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
