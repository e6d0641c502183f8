"""What ``laggroam status`` shows: a Host as JSON data and as text for a person.

Both views only restate what was observed: a value that was not seen is
``null`` in JSON and ``?`` in text, never filled in.
"""

from collections.abc import Mapping, Sequence

from laggroam.admin import ipv6report
from laggroam.core.event import Event
from laggroam.core.host import Host, Interface, Lagg, Process, Supplicant
from laggroam.core.whatif import Prediction

__all__ = ["host_json", "prediction_json", "render_prediction", "render_text"]


def _process_json(proc: Process) -> dict[str, object]:
    return {"running": proc.running, "pid": proc.pid}


def _supplicant_json(wpa: Supplicant) -> dict[str, object]:
    return {"running": wpa.running, "pid": wpa.pid, "state": wpa.state}


def _interface_json(host: Host, iface: Interface) -> dict[str, object]:
    data: dict[str, object] = {
        "flags": list(iface.flags),
        "mtu": iface.mtu,
        "ether": iface.ether,
        "hwaddr": iface.hwaddr,
        "inet": list(iface.inet),
        "inet6": list(iface.inet6),
        "media": iface.media,
        "status": iface.status,
        "ssid": iface.ssid,
        "bssid": iface.bssid,
        "parent": iface.parent,
        "groups": list(iface.groups),
    }
    proc = host.dhclient.get(iface.name)
    if proc is not None:
        data["dhclient"] = _process_json(proc)
    wpa = host.wpa.get(iface.name)
    if wpa is not None:
        data["wpa_supplicant"] = _supplicant_json(wpa)
    return data


def _lagg_json(lagg: Lagg) -> dict[str, object]:
    return {
        "proto": lagg.proto,
        "ports": [{"name": p.name, "flags": list(p.flags)} for p in lagg.ports],
        "primary": lagg.primary,
        "active": lagg.active,
    }


def _unique(host: Host) -> list[Interface]:
    """Interfaces in input order; a repeated name keeps its first entry, as Host.get does."""
    seen: set[str] = set()
    out: list[Interface] = []
    for iface in host.interfaces:
        if iface.name not in seen:
            seen.add(iface.name)
            out.append(iface)
    return out


def host_json(host: Host) -> dict[str, object]:
    """The ``status --json`` document: interfaces and laggs, keyed by name, in input order."""
    interfaces = _unique(host)
    return {
        "interfaces": {i.name: _interface_json(host, i) for i in interfaces},
        "laggs": {
            i.name: _lagg_json(i.lagg)
            | ({"ipv6": ipv6report.to_json(host, i)} if i.accepts_rtadv else {})
            for i in interfaces
            if i.lagg is not None
        },
    }


def _quote_ssid(ssid: str) -> str:
    # Quoted when it has blanks or is empty, as ifconfig prints it
    # (freebsd-src sbin/ifconfig/ifieee80211.c print_string).
    if not ssid or any(c.isspace() for c in ssid):
        return f'"{ssid}"'
    return ssid


def _table(rows: list[list[str]], indent: str) -> list[str]:
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return [
        (indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))).rstrip()
        for row in rows
    ]


def _link(port: Interface | None) -> str:
    if port is None:
        return "not shown"  # the port's own lines are not in this output
    if port.status is None:
        return "?"
    if port.flags_value is not None and not port.is_up:
        return f"{port.status} (down)"
    return port.status


def _wireless(host: Host, port: Interface | None) -> str:
    if port is None or not port.is_wireless:
        return ""
    parts = []
    if port.ssid is not None:
        parts.append(f"ssid {_quote_ssid(port.ssid)}")
    if port.bssid is not None:
        parts.append(f"bssid {port.bssid}")
    wpa = host.wpa.get(port.name)
    if wpa is not None:
        parts.append(f"wpa_supplicant {_running(wpa.running, wpa.pid)}")
        if wpa.state is not None:
            parts.append(wpa.state)
    return " ".join(parts) or "not associated"


def _running(running: bool | None, pid: int | None) -> str:
    if running is None:
        return "?"
    if not running:
        return "not running"
    return "running" if pid is None else f"running (pid {pid})"


def _render_lagg(host: Host, iface: Interface, lagg: Lagg) -> list[str]:
    proto = lagg.proto + (f" lagghash {','.join(lagg.hash)}" if lagg.hash else "")
    lines = [f"{iface.name}: laggproto {proto}, status {iface.status or '?'}"]
    active = [p.name for p in lagg.ports if p.is_active]
    lines.append(
        f"  primary {lagg.primary or 'none'}, active {', '.join(active) if active else 'none'}"
    )
    addresses = [["ether", iface.ether or "?"]]
    addresses += [["inet", a] for a in iface.inet]
    addresses += ipv6report.rows(host, iface)
    proc = host.dhclient.get(iface.name)
    if proc is not None:
        addresses.append(["dhclient", _running(proc.running, proc.pid)])
    lines += _table(addresses, "  ")
    if not lagg.ports:
        lines.append("  no laggport")
        return lines
    rows = [["port", "flags", "link", "wireless"]]
    for p in lagg.ports:
        port = host.get(p.name)
        flags = ",".join(p.flags) if p.flags else ("?" if p.flags_value is None else "-")
        rows.append([p.name, flags, _link(port), _wireless(host, port)])
    if not any(row[3] for row in rows[1:]):
        rows = [row[:3] for row in rows]
    lines += _table(rows, "  ")
    return lines


def render_text(
    host: Host,
    expected_ports: Mapping[str, Sequence[str]] | None = None,
    wanted_ether: Mapping[str, str] | None = None,
) -> str:
    """The human view of the laggs, their ports and wlans, plus policy warnings.

    ``expected_ports`` maps a lagg name to the ports the policy lists; every
    listed lagg or port the host lacks gets a ``warning:`` line, and so does
    every lagg in ``wanted_ether`` (lagg -> MAC) that wears another MAC.
    """
    lines: list[str] = []
    laggs = [(i, i.lagg) for i in _unique(host) if i.lagg is not None]
    for n, (iface, lagg) in enumerate(laggs):
        if n:
            lines.append("")
        lines += _render_lagg(host, iface, lagg)
    if not laggs:
        names = " ".join(i.name for i in _unique(host))
        lines.append(f"no lagg interface (interfaces: {names})" if names else "no interfaces")
    by_name = dict((i.name, lagg) for i, lagg in laggs)
    for lagg_name, ports in (expected_ports or {}).items():
        have = by_name.get(lagg_name)
        if have is None:
            lines.append(f"warning: the host lacks {lagg_name} that the policy lists")
            continue
        for port_name in ports:
            if port_name not in have.port_names:
                lines.append(f"warning: {lagg_name} lacks port {port_name} that the policy lists")
    for lagg_name, mac in (wanted_ether or {}).items():
        worn = host.get(lagg_name)
        if worn is not None and (worn.ether or "").lower() != mac.lower():
            lines.append(
                f"warning: {lagg_name} wears {worn.ether or 'no MAC'}, the policy wants {mac}"
                + _identity_note(worn)
            )
    return "\n".join(lines) + "\n"


def _identity_note(lagg: Interface) -> str:
    """Why correcting a lagg's MAC is not free: the DHCP client's identity is the MAC.

    dhclient puts the interface's MAC in chaddr (sbin/dhclient/dhclient.c
    make_discover, make_request), so a lagg wearing another MAC is a new
    client to the server, which may lease another address.
    """
    held = f", which holds {lagg.inet[0]}" if lagg.inet else ""
    return (
        f"; correcting it changes the DHCP client identity of {lagg.name}{held} (its address"
        " may change); laggroam check --rc-conf prints the rc.conf line that makes it"
        " wear the policy's MAC from boot"
    )


def prediction_json(prediction: Prediction, events: Sequence[Event]) -> dict[str, object]:
    """``plan --event --json``'s "prediction": the events, the assumptions, the host."""
    return {
        "events": [str(e) for e in events],
        "assumptions": list(prediction.assumptions),
        "host": host_json(prediction.host),
    }


def render_prediction(prediction: Prediction, events: Sequence[Event]) -> str:
    """The head of ``plan --event``: that this is a prediction, and on what it rests."""
    lines = [
        f"prediction, not an observation: what laggroam would do after"
        f" {', '.join(str(e) for e in events)}, if the kernel reacts as modelled:"
    ]
    lines += [f"  assumed: {a}" for a in prediction.assumptions]
    return "\n".join(lines) + "\n"
