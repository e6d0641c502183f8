"""What the verbs share: the policy path, the site acted on, policy and event loading."""

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from laggroam.exitcodes import EX_CONFIG, EX_DATAERR, EX_NOINPUT

if TYPE_CHECKING:
    from laggroam.config.policy import Policy
    from laggroam.core.event import Event
    from laggroam.core.host import Host
    from laggroam.devd.devdconf import Config as DevdConfig
    from laggroam.edge.site import Site
    from laggroam.edge.store import Store
    from laggroam.edge.system import System


DEFAULT_POLICY = "/usr/local/etc/laggroam/laggroam.ini"


PROG = "laggroam"


class UsageError(Exception):
    """Bad usage: reported on one line, exit 64 (EX_USAGE)."""


def _policy_path(args: argparse.Namespace) -> str:
    return str(args.config or _host_path(args, DEFAULT_POLICY))


def _rc_paths(args: argparse.Namespace, given: str) -> list[Path]:
    from laggroam.rc.rcconf import default_rc_paths

    if given:
        return [Path(given)]
    return default_rc_paths(_site(args).root)


def _site(args: argparse.Namespace) -> "Site":
    """The host the command acts on: ``--site DIR``'s, or this one (cli.main sets it)."""
    from laggroam.edge.site import Site

    site: Site = getattr(args, "site", None) or Site.real()
    return site


def _observable(args: argparse.Namespace) -> bool:
    """Whether there is a host to observe: a site was named, or this is FreeBSD."""
    import platform

    return getattr(args, "site_dir", None) is not None or platform.system() == "FreeBSD"


def _own_macs(args: argparse.Namespace) -> dict[str, str]:
    """Each interface's own MAC on the host acted on; {} when it is not observable."""
    if not _observable(args):
        return {}
    from laggroam.core.plan import own_mac
    from laggroam.edge.system import ObserveError

    try:
        host = _system(args).observe(dhcp_ifaces=[], wpa_ifaces=[])
    except ObserveError:
        return {}
    return {i.name: mac for i in host.interfaces if (mac := own_mac(i)) is not None}


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
    from laggroam.edge.system import System

    return System(_site(args).programs)


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
    from laggroam.core.event import EventError, parse_event_text

    try:
        return [parse_event_text(t) for t in texts]
    except EventError as exc:
        raise UsageError(f"--event: {exc}") from None


def _host_path(args: argparse.Namespace, path: str) -> Path:
    """A product path (state_dir, socket) of the host acted on, as seen from here."""
    return _site(args).path(path)


def _devd_config(args: argparse.Namespace, paths: Sequence[str]) -> "DevdConfig":
    from laggroam.devd import chain, devdconf

    if paths:
        return devdconf.load_config([Path(p) for p in paths])
    return chain.load(_site(args).root)


MEDIA_TYPES = ("ethernet", "802.11", "atm", "unknown")  # devd.cc media::media


def _vm_guest(args: argparse.Namespace) -> str:
    """devd's ``$vm_guest`` for ``devd explain``: given, or the host's when it is observed."""
    from laggroam.edge.system import VM_GUEST_RE

    if args.vm_guest is not None:
        if not VM_GUEST_RE.fullmatch(args.vm_guest):
            raise UsageError(f"--vm-guest {args.vm_guest!r}: a lowercase name such as hv or none")
        return str(args.vm_guest)
    if args.from_ifconfig or args.media:
        return ""  # another machine's event: its hypervisor is not this one's
    if not _observable(args):
        return ""
    return _system(args).vm_guest()


def _media_source(args: argparse.Namespace) -> "Callable[[str], str | None] | int":
    """Where ``devd explain`` learns an interface's media type.

    ``--media IF=TYPE`` and ``--from-ifconfig FILE`` explain an event captured
    on another machine; otherwise the host acted on is observed.
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
