"""The policy file: which laggs laggroam keeps right, and how.

The ini file is read with configparser (no interpolation, no DEFAULT magic,
strict) and validated in one pass into frozen dataclasses, so the daemon can
swap a new policy in whole or keep the last good one.  Every problem found is
reported at once, each as ``FILE:LINE: message``.  Reading, with the line of
every key, is :mod:`laggroam.config.policyread`; the syntax of single values is
:mod:`laggroam.config.policyvalues`; this module holds the policy itself and the
rules that tie values together.  ``man/laggroam.ini.5`` documents the format
for administrators.
"""

import functools
import gc
import os
import re
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TypeVar

from laggroam.config import policyvalues
from laggroam.config.policyfile import UnsafeFile, read_policy_bytes, trust_problem
from laggroam.config.policyread import (
    MAX_ERRORS,
    MAX_POLICY_BYTES,
    Errors,
    PolicyError,
    PolicyErrors,
    Section,
    label,
    read_sections,
    short,
    split_lines,
)
from laggroam.config.policyvalues import RESTART_WPA, SUN_PATH_MAX
from laggroam.core.duration import format_duration
from laggroam.core.ifname import ifname_problem
from laggroam.core.policymodel import (
    DaemonPolicy,
    LaggPolicy,
    LaggProto,
    OldPrefixes,
    Policy,
    RenewDhcpMode,
    RenewIpv6Mode,
    WlanPolicy,
)

__all__ = [
    "DEFAULT_PATH",
    "LAGG_MAX_PORTS",
    "LAGG_PROTOS",
    "LOG_LEVELS",
    "LOG_TARGETS",
    "MAX_ERRORS",
    "MAX_POLICY_BYTES",
    "OLD_PREFIXES",
    "RENEW_DHCP",
    "RENEW_IPV6",
    "RESTART_WPA",
    "SUN_PATH_MAX",
    "DaemonPolicy",
    "LaggPolicy",
    "LaggProto",
    "OldPrefixes",
    "Policy",
    "PolicyError",
    "PolicyErrors",
    "RenewDhcpMode",
    "RenewIpv6Mode",
    "WlanPolicy",
    "load",
    "loads",
]

DEFAULT_PATH = "/usr/local/etc/laggroam/laggroam.ini"

# lagg(4) protocols (freebsd-src share/man/man4/lagg.4, Dd January 16, 2023),
# spelt as in the LAGG_PROTOS table of sys/net/if_lagg.h: the words of
# policymodel.LaggProto, which says why "default" and "fec" are not among them.
LAGG_PROTOS = tuple(p.value for p in LaggProto)
# LAGG_MAX_PORTS (freebsd-src sys/net/if_lagg.h).
LAGG_MAX_PORTS = 32

# Names of cloned interfaces: the wlan, lagg and loopback cloners are simple
# cloners (if_clone_simple in freebsd-src sys/net80211/ieee80211_freebsd.c for
# wlan), whose names are the cloner's name and a unit number, nothing else
# (ifc_simple_match in sys/net/if_clone.c).
_WLAN_NAME_RE = re.compile(r"wlan[0-9]+")
_LAGG_NAME_RE = re.compile(r"lagg[0-9]+")
_LOOPBACK_RE = re.compile(r"lo[0-9]+")
# A wlan port sends and receives only as its one association: lacp needs an
# 802.3ad partner on every port and loadbalance/roundrobin/broadcast spread
# frames over all ports; failover (lagg(4)'s wired/wireless example) uses one
# port at a time, and "none" none.
_WIRELESS_PROTOS = (LaggProto.FAILOVER, LaggProto.NONE)

RENEW_DHCP = tuple(m.value for m in RenewDhcpMode)
# IPv6 following the network (laggroam.core.ipv6plan): when to solicit routers,
# and what becomes of the old network's prefixes and default router.
RENEW_IPV6 = tuple(m.value for m in RenewIpv6Mode)
OLD_PREFIXES = tuple(m.value for m in OldPrefixes)
LOG_TARGETS = ("syslog", "stderr")
# syslog(3) priority names, lowest to highest, that laggroam logs at.
LOG_LEVELS = ("debug", "info", "notice", "warning", "err")

_DAEMON = "daemon"
_WLAN_NAME_RE = re.compile(r"wlan[0-9]+")


# ---------------------------------------------------------------- entry points


def load(
    path: str | os.PathLike[str], host_path: Callable[[str], os.PathLike[str]] | None = None
) -> Policy:
    """Read and validate the policy at ``path``.

    OSError (missing, unreadable, a directory, a symlink loop) propagates for
    the caller to report; a FIFO or device is refused as "not a regular file"
    without blocking on it, and a file, or a file the policy names for root
    to use, that others may write is refused (:mod:`laggroam.config.policyfile`).
    ``host_path`` maps a path of the policy to where it is on this host (under
    the site's root); by default paths are taken as they are.
    """
    name = os.fspath(path)
    try:
        data = read_policy_bytes(name, MAX_POLICY_BYTES)
    except UnsafeFile as exc:
        raise PolicyErrors([PolicyError(name, 1, str(exc))]) from None
    policy = loads(data, name)
    problems = _untrusted_paths(policy, host_path or Path)
    problems += _socket_disagreement(policy, name)
    if problems:
        raise PolicyErrors([PolicyError(name, line, message) for line, message in problems])
    return policy


def loads(text: str | bytes, path: str = "<policy>") -> Policy:
    """Validate policy ``text``; raise PolicyErrors listing every problem."""
    # A file near the size limit makes a few hundred thousand small objects, and
    # the collector's passes over them would cost more than the parse itself.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _loads(text, path)
    finally:
        if collecting:
            gc.enable()


def _loads(text: str | bytes, path: str) -> Policy:
    errors = Errors(path)
    lines = split_lines(text, errors)
    if lines is None:
        raise PolicyErrors(errors.sorted())
    parsed = read_sections(lines, errors)
    policy = _Validator(path, errors).policy(parsed) if parsed is not None else None
    if errors or policy is None:
        raise PolicyErrors(errors.sorted())
    return policy


# ---------------------------------------------------------------- validation


def _socket_disagreement(policy: Policy, name: str) -> list[tuple[int, str]]:
    """The socket must be the one the hooks installed beside the policy send to."""
    from laggroam.config.layout import socket_disagreement

    problem = socket_disagreement(name, policy.daemon.socket)
    return [] if problem is None else [(1, f"[daemon] socket: {problem}")]


def _untrusted_paths(
    policy: Policy, host_path: Callable[[str], os.PathLike[str]]
) -> list[tuple[int, str]]:
    """(line, message) for each path the policy names that others could swap under root."""
    named = [(1, "[daemon] state_dir", policy.daemon.state_dir)]
    named.append((1, "[daemon] socket", os.path.dirname(policy.daemon.socket)))
    named += [(w.line, f"{label(w.name)} wpa_conf", w.wpa_conf) for w in policy.wlans if w.wpa]
    problems = []
    for line, what, value in named:
        problem = trust_problem(host_path(value))
        if problem is not None:
            problems.append((line, f"{what}: {problem}; root will not use it"))
    return problems


_T = TypeVar("_T")

_DAEMON_KEYS = (
    "debounce",
    "socket",
    "state_dir",
    "log",
    "log_level",
    "interval",
    "group",
    "max_delay",
)
_LAGG_KEYS = ("ports", "proto", "ether", "dhcp", "renew_dhcp", "failback_hold", "renew_ipv6",
              "old_prefixes")  # fmt: skip
_WLAN_KEYS = ("parent", "wpa", "wpa_conf", "restart_wpa", "stuck_after", "create_args")
_KIND_KEYS = {"daemon": _DAEMON_KEYS, "lagg": _LAGG_KEYS, "wlan": _WLAN_KEYS}
_KIND_LABELS = {"daemon": "[daemon]", "lagg": "a lagg section", "wlan": "a wlan section"}


@functools.lru_cache(maxsize=1024)
def _unknown_key_hint(key: str, kind: str) -> str:
    """The suggestion for an unknown key, computed once per distinct key (difflib is slow)."""
    hint = policyvalues.hint(key, _KIND_KEYS[kind])
    for other, keys in _KIND_KEYS.items():
        if not hint and other != kind and key in keys:
            hint = f"; it belongs in {_KIND_LABELS[other]}"
    for other, keys in _KIND_KEYS.items():
        near = policyvalues.closest(key, keys)
        if not hint and other != kind and near:
            hint = f"; did you mean {near!r}, which belongs in {_KIND_LABELS[other]}?"
    return hint


@functools.lru_cache(maxsize=1024)
def _unknown_section_hint(name: str, keys: tuple[str, ...]) -> str:
    """The suggestion for a section that is neither a lagg nor a wlan, once per distinct one."""
    hint = policyvalues.hint(name, [_DAEMON])
    for key in keys:
        near = policyvalues.closest(key, ["ports", "parent"])
        if near and not hint:
            hint = f"; did you mean {near!r} instead of {key!r}?"
    return hint


class _Fields:
    """One section's values, parsed key by key; each failure becomes an error."""

    def __init__(self, section: Section, kind: str, errors: Errors) -> None:
        self.section = section
        self.errors = errors
        self.failed: set[str] = set()
        for key, line in section.key_lines.items():
            if key in section.values and key not in _KIND_KEYS[kind]:
                hint = "" if errors.full else _unknown_key_hint(key, kind)
                errors.add(
                    line,
                    f"{label(section.name)} unknown key {short(key)} in {_KIND_LABELS[kind]}{hint}",
                )

    def has(self, key: str) -> bool:
        return key in self.section.values

    def line(self, key: str) -> int:
        return self.section.key_lines.get(key, self.section.line)

    def error(self, key: str, message: str) -> None:
        self.failed.add(key)
        self.errors.add(self.line(key), f"{label(self.section.name)} {key}: {message}")

    def get(self, key: str, parse: Callable[[str], _T], default: _T) -> _T:
        raw = self.section.values.get(key)
        if raw is None:
            return default
        if not raw.strip():
            self.error(key, "empty value")
            return default
        try:
            return parse(raw)
        except ValueError as exc:
            self.error(key, str(exc))
            return default

    def ok(self, *keys: str) -> bool:
        return not self.failed.intersection(keys)


class _Validator:
    """Turns the sections read into a Policy, recording every problem on the way."""

    def __init__(self, path: str, errors: Errors) -> None:
        self.path = path
        self.errors = errors

    def policy(self, sections: list[Section]) -> Policy | None:
        daemon = DaemonPolicy()
        laggs: list[Section] = []
        wlans: list[Section] = []
        for section in sections:
            kind = self._kind(section)
            if kind == "daemon":
                daemon = self._daemon(section)
            elif kind == "lagg":
                laggs.append(section)
            elif kind == "wlan":
                wlans.append(section)
        if not laggs and not self.errors:
            # A lagg section refused above (a broken header, 'ports' with 'parent') already
            # says what is wrong; "no lagg section" at line 1 would only mislead.
            self.errors.add(1, "no lagg section: add one such as [lagg0] with ports = em0 wlan0")
        lagg_names = {s.name for s in laggs}
        wlan_names = {s.name for s in wlans}
        lagg_policies = self._laggs(laggs, wlan_names)
        taken = {port: lagg for lagg in lagg_policies for port in lagg.ports}
        wlan_policies = [self._wlan(s, taken, lagg_names, wlan_names) for s in wlans]
        if self.errors:
            return None
        return Policy(self.path, daemon, tuple(lagg_policies), tuple(wlan_policies))

    def _kind(self, section: Section) -> str | None:
        name, values = section.name, section.values
        if name == _DAEMON:
            return "daemon"
        if "ports" in values and "parent" in values:
            # Reported at whichever of the two keys comes second: that one made it wrong.
            ports_line, parent_line = section.key_lines["ports"], section.key_lines["parent"]
            second = "parent" if parent_line >= ports_line else "ports"
            self.errors.add(
                max(ports_line, parent_line),
                f"{label(name)} {second}: a section has either 'ports' (a lagg) or 'parent'"
                " (a wlan), not both; give each its own section",
            )
            return None
        # A section with "wpa" and no "parent" is a wireless port that is its
        # own 802.11 interface (ndis0 of the FreeBSD 7 era): a wlan section
        # whose interface laggroam never creates.  A wlan vap (wlanN) still
        # needs its radio: it is re-created from it (ifconfig wlanN create
        # wlandev RADIO) when the radio detaches and attaches.
        own_ifnet = "wpa" in values and not _WLAN_NAME_RE.fullmatch(name)
        if "ports" not in values and "parent" not in values and not own_ifnet:
            hint = "" if self.errors.full else _unknown_section_hint(name, tuple(values)[:8])
            self.errors.add(
                section.line,
                f"unknown section {label(name)}: a lagg section needs 'ports', "
                f"a wlan section needs 'parent'{hint}",
            )
            return None
        problem = ifname_problem(name)
        if problem is not None:
            self.errors.add(
                section.line, f"section {label(name)} is not an interface name: {problem}"
            )
        kind = "lagg" if "ports" in values else "wlan"
        # Any name can be a wlan's (rc makes it with "ifconfig wlan create
        # ... name CHILD", libexec/rc/network.subr wlan_up), but one named like
        # a lagg or the loopback would be taken for that interface by anyone
        # who reads ifconfig, and by rc's own name-pattern checks.
        cloner = _LAGG_NAME_RE.fullmatch(name) or _LOOPBACK_RE.fullmatch(name)
        if kind == "wlan" and problem is None and cloner:
            what = "a lagg" if _LAGG_NAME_RE.fullmatch(name) else "the loopback"
            self.errors.add(
                section.line,
                f"section {label(name)} has 'parent', so it is a wlan, but its name is that of"
                f" {what}: name the wlan wlanN (wlan0, wlan1, ...) or any name that is not",
            )
        return kind

    def _daemon(self, section: Section) -> DaemonPolicy:
        f = _Fields(section, "daemon", self.errors)
        defaults = DaemonPolicy()
        daemon = DaemonPolicy(
            debounce=f.get("debounce", policyvalues.duration, defaults.debounce),
            socket=f.get("socket", policyvalues.socket_path, defaults.socket),
            state_dir=f.get("state_dir", policyvalues.path, defaults.state_dir),
            log=f.get("log", policyvalues.choice(LOG_TARGETS), defaults.log),
            log_level=f.get("log_level", policyvalues.choice(LOG_LEVELS), defaults.log_level),
            interval=f.get("interval", policyvalues.interval, defaults.interval),
            group=f.get("group", policyvalues.group, defaults.group),
            max_delay=f.get("max_delay", policyvalues.duration, defaults.max_delay),
        )
        if f.ok("debounce", "max_delay") and daemon.max_delay < daemon.debounce:
            key = "max_delay" if f.has("max_delay") else "debounce"
            f.error(
                key,
                f"max_delay ({format_duration(daemon.max_delay)}) is shorter than "
                f"debounce ({format_duration(daemon.debounce)})",
            )
        return daemon

    def _laggs(self, sections: list[Section], wlan_names: set[str]) -> list[LaggPolicy]:
        lagg_names = {s.name for s in sections}
        claimed: dict[str, tuple[str, int]] = {}
        return [self._lagg(s, lagg_names, wlan_names, claimed) for s in sections]

    def _lagg(
        self,
        section: Section,
        lagg_names: set[str],
        wlan_names: set[str],
        claimed: dict[str, tuple[str, int]],
    ) -> LaggPolicy:
        """One lagg section; ``claimed`` maps ports of earlier laggs to (lagg, line)."""
        f = _Fields(section, "lagg", self.errors)
        no_ports: tuple[str, ...] = ()
        ports = f.get("ports", partial(_ports, lagg=section.name, lagg_names=lagg_names), no_ports)
        for port in ports:
            if port in claimed:
                other, line = claimed[port]
                # The kernel would refuse it with EBUSY (freebsd-src sys/net/if_lagg.c).
                f.error("ports", f"{port} is already a port of {other} (line {line})")
            else:
                claimed[port] = (section.name, f.line("ports"))
        dhcp = f.get("dhcp", policyvalues.boolean, True)
        renew = f.get(
            "renew_dhcp",
            policyvalues.member(RenewDhcpMode),
            RenewDhcpMode.ON_FAILOVER if dhcp else RenewDhcpMode.NEVER,
        )
        if not dhcp and renew != RenewDhcpMode.NEVER and f.ok("dhcp", "renew_dhcp"):
            f.error("renew_dhcp", f"{renew} needs dhcp = yes")
        if f.has("ether"):
            known = ports if f.ok("ports") else None
            ether = f.get("ether", partial(_ether, lagg=section.name, ports=known), "keep")
        else:
            ether = _default_ether(ports, wlan_names)
        proto = f.get("proto", policyvalues.member(LaggProto), LaggProto.FAILOVER)
        wireless = [p for p in ports if p in wlan_names or _WLAN_NAME_RE.fullmatch(p)]
        if wireless and proto not in _WIRELESS_PROTOS and f.ok("proto", "ports"):
            f.error(
                "proto",
                f"{proto} cannot take the wireless port {wireless[0]}; a lagg with a wlan"
                " port uses failover",
            )
        return LaggPolicy(
            name=section.name,
            ports=ports,
            proto=proto,
            ether=ether,
            ether_defaulted=not f.has("ether"),
            dhcp=dhcp,
            renew_dhcp=renew,
            failback_hold=f.get("failback_hold", policyvalues.duration, 0.0),
            line=section.line,
            renew_ipv6=f.get(
                "renew_ipv6", policyvalues.member(RenewIpv6Mode), RenewIpv6Mode.ON_NETWORK_CHANGE
            ),
            old_prefixes=f.get(
                "old_prefixes", policyvalues.member(OldPrefixes), OldPrefixes.REMOVE
            ),
        )

    def _wlan(
        self,
        section: Section,
        taken: Mapping[str, LaggPolicy],
        lagg_names: set[str],
        wlan_names: set[str],
    ) -> WlanPolicy:
        f = _Fields(section, "wlan", self.errors)
        parent = f.get("parent", policyvalues.ifname, "")
        if f.ok("parent"):
            if parent in taken:
                lagg = taken[parent]
                f.error(
                    "parent",
                    f"{parent} is a port of {lagg.name} (line {lagg.line}); "
                    f"the wlan, not its radio, is the lagg port",
                )
            elif parent in lagg_names:
                f.error("parent", f"{parent} is a lagg, not a radio")
            elif parent in wlan_names or _WLAN_NAME_RE.fullmatch(parent):
                f.error("parent", f"{parent} is a wlan, not a radio")
            elif _LAGG_NAME_RE.fullmatch(parent):
                f.error("parent", f"{parent} is a lagg, not a radio")
            elif _LOOPBACK_RE.fullmatch(parent):
                f.error("parent", f"{parent} is the loopback, not a radio")
        if not parent and f.has("create_args"):
            f.error("create_args", "a wireless port without 'parent' is never created")
        return WlanPolicy(
            name=section.name,
            parent=parent,
            wpa=f.get("wpa", policyvalues.boolean, True),
            wpa_conf=f.get("wpa_conf", policyvalues.path, "/etc/wpa_supplicant.conf"),
            restart_wpa=f.get("restart_wpa", policyvalues.restart_wpa, frozenset(RESTART_WPA)),
            stuck_after=f.get("stuck_after", policyvalues.positive_duration, 20.0),
            create_args=f.get("create_args", policyvalues.create_args, ()),
            line=section.line,
        )


def _ports(raw: str, lagg: str, lagg_names: set[str]) -> tuple[str, ...]:
    ports = raw.split()
    if len(ports) > LAGG_MAX_PORTS:
        raise ValueError(f"{len(ports)} ports; lagg(4) takes at most {LAGG_MAX_PORTS}")
    for port in ports:
        problem = ifname_problem(port)
        if problem is not None:
            raise ValueError(problem)
        if _LOOPBACK_RE.fullmatch(port):
            raise ValueError(f"{port} is the loopback interface, not a network port")
        if port == lagg:
            # The kernel refuses it too: EINVAL (freebsd-src sys/net/if_lagg.c).
            raise ValueError(f"{lagg} cannot be a port of itself")
        if port in lagg_names:
            raise ValueError(f"{port} is a lagg of this policy; laggroam does not stack laggs")
        if ports.count(port) > 1:
            raise ValueError(f"{port} is listed twice")
    return tuple(ports)


def _ether(raw: str, lagg: str, ports: tuple[str, ...] | None) -> str:
    """A port of ``lagg``, a unicast MAC or ``keep``; ports None: not checkable."""
    value = policyvalues.scalar(raw)
    if value == "keep":
        return value
    if ":" in value:
        return policyvalues.mac(value)
    problem = ifname_problem(value)
    if problem is not None:
        raise ValueError(f"{short(value)} is not a port, a MAC address or 'keep'")
    if ports is not None and value not in ports:
        listed = " ".join(ports) or "none"
        raise ValueError(f"{value} is not a port of {lagg} (ports: {listed})")
    return value


def _default_ether(ports: tuple[str, ...], wlan_names: set[str]) -> str:
    """The first wireless port: one with a wlan section, else one named wlanN; else keep.

    Wired NICs take a new MAC while some wireless ones cannot, so every port
    wears the wireless MAC (share/man/man4/lagg.4 EXAMPLES; FreeBSD Handbook,
    advanced networking, failover between Ethernet and wireless).
    """
    for port in ports:
        if port in wlan_names:
            return port
    for port in ports:
        if _WLAN_NAME_RE.fullmatch(port):
            return port
    return "keep"
