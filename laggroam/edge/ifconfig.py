"""FreeBSD ``ifconfig`` text -> :mod:`laggroam.core.host` objects, without any I/O.

laggroam learns the state of laggs, ports and wlans only from ifconfig's
printed output, which differs between releases (ioctl printer up to 13.x,
netlink printer from 14.x), between indentation styles and between copies
that web pages mangled.  So the parser is keyed on what each line *says*,
never on its position: every detail line is recognised by its first word,
lines may come in any order and with any indentation (tab, spaces or none),
and a line it does not understand is kept verbatim in ``Interface.extra``.

It never invents a value: a field it cannot read stays ``None`` / empty, and
what it saw but could not decode stays in ``extra``.

Output formats, from freebsd-src:
- header ``NAME: flags=HEX<NAMES> metric N mtu N``: sbin/ifconfig/ifconfig.c
  ``status``, sbin/ifconfig/ifconfig_netlink.c ``status_nl``;
- ``inet``: sbin/ifconfig/af_inet.c; ``inet6``: sbin/ifconfig/af_inet6.c;
- ``ether``/``hwaddr``: sbin/ifconfig/af_link.c; ``groups:``: ifgroup.c;
- ``media:``/``status:``: sbin/ifconfig/ifmedia.c;
- 802.11 block: sbin/ifconfig/ifieee80211.c ``ieee80211_status``;
- lagg block: sbin/ifconfig/iflagg.c ``lagg_status`` (current and 2007-era).
"""

from functools import lru_cache

from laggroam.core.host import Host, Interface
from laggroam.edge.ifstanza import HEADER_RE, read_stanza

__all__ = [
    "IfconfigError",
    "parse",
    "parse_host",
    "parse_list",
]

# Parsed stanzas kept for the next observation: more than the interfaces of
# a large host, a bounded amount of memory.
STANZA_CACHE = 4096


class IfconfigError(ValueError):
    """The text is not ifconfig output at all: nothing in it is an interface."""

    def __init__(self, line_no: int, message: str) -> None:
        super().__init__(f"line {line_no}: {message}")
        self.line_no = line_no
        self.message = message


def parse(text: str) -> list[Interface]:
    """Every interface in ``ifconfig`` / ``ifconfig -a`` / ``ifconfig IF`` output, in order.

    Blank lines and, before the first interface, ``#`` comment lines are
    skipped; other text before the first interface is ignored when at least
    one interface follows.  Raises IfconfigError only when the text holds
    something but no interface header at all.
    """
    stanzas: list[list[str]] = []
    current: list[str] | None = None
    first_junk: tuple[int, str] | None = None
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line:
            continue  # blank, or only white space
        if ": flags=" in line and HEADER_RE.match(line.strip()) is not None:
            current = [line]
            stanzas.append(current)
        elif current is not None:
            current.append(line)
        elif not line.lstrip().startswith("#") and first_junk is None:
            first_junk = (line_no, line.strip())
    if not stanzas and first_junk is not None:
        line_no, line = first_junk
        shown = line if len(line) <= 60 else line[:57] + "..."
        raise IfconfigError(
            line_no, f"not ifconfig output: expected 'NAME: flags=...', got {shown!r}"
        )
    return [_stanza(tuple(lines)) for lines in stanzas]


@lru_cache(maxsize=STANZA_CACHE)
def _stanza(lines: tuple[str, ...]) -> Interface:
    """One interface from its header and detail lines (``ifstanza``).

    Cached by the stanza's text: the interface is a pure function of it and
    immutable, and a converged host prints the same stanzas at every
    observation, so only the stanzas that changed are parsed again.
    """
    return read_stanza(lines)


def parse_host(text: str) -> Host:
    """A Host holding the interfaces of ``ifconfig -a`` output.

    laggport flags that the output did not show (neither number nor names)
    are listed in Host.unknown as "LAGG laggport PORT flags".
    """
    interfaces = tuple(parse(text))
    unknown = tuple(
        f"{i.name} laggport {p.name} flags"
        for i in interfaces
        if i.lagg is not None
        for p in i.lagg.ports
        if p.flags_value is None and not p.flags
    )
    return Host(interfaces=interfaces, unknown=unknown)


def parse_list(text: str) -> list[str]:
    """Interface names from ``ifconfig -l`` (one line, names separated by spaces).

    ifconfig_netlink.c ``list_interfaces_nl`` prints the names on one line;
    anything with a ``:`` is not such a list (e.g. ``ifconfig -a`` output).
    """
    names: list[str] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or (line.startswith("#") and not names):
            continue
        for token in line.split():
            if ":" in token or "=" in token or "<" in token:
                raise IfconfigError(line_no, f"not 'ifconfig -l' output: unexpected {token[:40]!r}")
            names.append(token)
    return names
