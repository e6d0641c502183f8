"""``laggroam check`` against a host: the interfaces a valid policy names that the host lacks.

A policy can be valid and still be wrong for this machine: ``ports = em1
wlan0`` on a laptop with em0, or ``[lagg1]`` where the host has lagg0 (which
would create a second lagg with its own dhclient).  These are warnings, each
``FILE:LINE: warning: ...`` at the key that names the interface; a lagg the
host lacks may be one laggroam is meant to create, so none of them is an
error unless the administrator asks for ``--strict``.
"""

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from laggroam.config.policy import Policy
from laggroam.config.policyread import Errors, read_sections, split_lines
from laggroam.core.host import Host

__all__ = ["HostWarning", "check_policy_on_host", "key_lines"]


@dataclass(frozen=True, slots=True)
class HostWarning:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"


def key_lines(text: str | bytes, path: str) -> dict[tuple[str, str], int]:
    """(section, key) -> line of the policy text, for warnings at the key that says it."""
    errors = Errors(path)
    lines = split_lines(text, errors)
    sections = read_sections(lines, errors) if lines is not None else None
    out: dict[tuple[str, str], int] = {}
    for section in sections or ():
        out[(section.name, "")] = section.line
        for key, line in section.key_lines.items():
            out[(section.name, key)] = line
    return out


def check_policy_on_host(
    policy: Policy, host: Host, lines: Mapping[tuple[str, str], int], *, capture: bool
) -> list[HostWarning]:
    """Warnings for every port, radio and lagg of ``policy`` that ``host`` does not have.

    ``capture``: the host is an ``ifconfig -a`` capture, which lists no radios
    (a radio is seen only as the ``parent:`` of a wlan it carries).
    """
    # A port a lagg lists exists, even when the capture has no stanza for it.
    names = set(host.names()) | {p for lagg in host.laggs().values() for p in lagg.port_names}
    created = {w.name for w in policy.wlans}
    found: list[HostWarning] = []

    def warn(section: str, key: str, message: str) -> None:
        line = lines.get((section, key), lines.get((section, ""), 1))
        found.append(HostWarning(policy.path, line, message))

    for lagg in policy.laggs:
        iface = host.get(lagg.name)
        if iface is None:
            others = sorted(set(host.laggs()) - {lp.name for lp in policy.laggs})
            also = (
                f"; the host has {_words(others)}, which the policy does not name" if others else ""
            )
            warn(lagg.name, "", f"the host has no {lagg.name}: laggroam would create it{also}")
        elif iface.lagg is None:
            warn(lagg.name, "", f"{lagg.name} exists on the host but is not a lagg")
        for port in lagg.ports:
            if port in names or port in created:
                continue
            used = {p for lp in policy.laggs for p in lp.ports} | {lp.name for lp in policy.laggs}
            hint = _close(port, sorted(names - used))
            warn(lagg.name, "ports", f"port {port}: the host has no interface {port}{hint}")
    radios = _radios(host, capture)
    for wlan in policy.wlans:
        iface = host.get(wlan.name)
        if iface is not None and not iface.is_wireless:
            warn(
                wlan.name,
                "",
                f"{wlan.name} on the host is not wireless, yet [{wlan.name}] has 'parent' and so"
                " is a wlan section: laggroam would run wpa_supplicant on it",
            )
        elif iface is not None and iface.parent is not None and iface.parent != wlan.parent:
            warn(
                wlan.name,
                "parent",
                f"parent {wlan.parent}: {wlan.name} on the host is a wlan of {iface.parent}",
            )
        elif radios is not None and wlan.parent not in radios:
            hint = _close(wlan.parent, sorted(radios))
            have = f" (its radios: {_words(sorted(radios))})" if radios and not hint else ""
            warn(
                wlan.name,
                "parent",
                f"parent {wlan.parent}: the host has no radio {wlan.parent}{hint}{have}",
            )
    return found


def _radios(host: Host, capture: bool) -> set[str] | None:
    """The host's radios, or None when they cannot be known.

    Observed: ``sysctl net.wlan.devices`` (Host.radios).  A capture lists no
    radios; the parents of its wlans are radios it has, but a radio without a
    wlan would not show, so a capture never proves a radio absent.
    """
    if not capture and host.radios is not None:
        return set(host.radios)
    return None


def _close(name: str, candidates: Iterable[str]) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {match[0]}?)" if match else ""


def _words(names: list[str]) -> str:
    return ", ".join(names)
