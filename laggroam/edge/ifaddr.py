"""Address words of ``ifconfig``: a MAC, ``inet`` and ``inet6`` lines, as FreeBSD prints them.

Each function reads one address word (or line) and returns it in the one
form laggroam compares (ether_ntoa's MAC, ``A/len``), or None when the text
is not such an address: the listing parser (``ifconfig``) keeps what it
cannot read verbatim.  Sources: sbin/ifconfig/af_link.c, af_inet.c, af_inet6.c.
"""

import ipaddress
import re
from functools import lru_cache

from laggroam.core.host import Inet6Addr

# ether_ntoa(3) prints six colon-separated hex octets; IFCONFIG_FORMAT /
# "-f ether:dash|dotted" print 00-11-22-33-44-55 or 0011.2233.4455
# (freebsd-src sbin/ifconfig/af_link.c print_ether).
MAC_RE = re.compile(
    r"(?P<colon>[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5})"
    r"|(?P<dash>[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})"
    r"|(?P<dotted>[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){2})"
)
# Already in ether_ntoa's form (two lower-case digits per octet): nothing to
# normalise, so the common case costs one match.
_CANONICALMAC_RE = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}", re.ASCII)
# A dotted quad ipaddress accepts and prints back unchanged (decimal octets
# 0-255 without leading zeros); anything else goes through ipaddress.
CANONICAL_V4_RE = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])",
    re.ASCII,
)


def parse_mac(token: str) -> str | None:
    """A MAC address in ether_ntoa's form (lower-case, colons), or None."""
    if _CANONICALMAC_RE.fullmatch(token):
        return token
    m = MAC_RE.fullmatch(token)
    if m is None:
        return None
    if m["colon"] is not None:
        octets = token.split(":")
    else:
        digits = token.replace("-", "").replace(".", "")
        octets = [digits[i : i + 2] for i in range(0, 12, 2)]
    return ":".join(f"{int(o, 16):02x}" for o in octets)


def parse_inet(tokens: list[str]) -> str | None:
    """``inet A netmask 0xHEX ...`` or ``inet A/len ...`` -> "A/len" (af_inet.c)."""
    if len(tokens) < 2:
        return None
    addr_text = tokens[1]
    try:
        if "/" in addr_text:
            iface = ipaddress.IPv4Interface(addr_text)
            return f"{iface.ip}/{iface.network.prefixlen}"
        if CANONICAL_V4_RE.fullmatch(addr_text):
            addr = addr_text
        else:
            addr = str(ipaddress.IPv4Address(addr_text))
    except ValueError:
        return None
    if "netmask" not in tokens:
        return None
    i = tokens.index("netmask")
    if i + 1 >= len(tokens):
        return None
    prefixlen = prefixlen_of(tokens[i + 1])
    if prefixlen is None:
        return None  # not a contiguous mask: no honest prefix length
    return f"{addr}/{prefixlen}"


@lru_cache(maxsize=64)
def prefixlen_of(mask_text: str) -> int | None:
    """A netmask (``0xffffff00`` or dotted) as a prefix length; None if not contiguous.

    Cached: a host has a handful of distinct netmasks however many addresses.
    """
    try:
        if mask_text.lower().startswith("0x"):
            mask = ipaddress.IPv4Address(int(mask_text, 16))
        else:
            mask = ipaddress.IPv4Address(mask_text)
        return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
    except ValueError:
        return None


# Address flags in the order af_inet6.c print_flags() prints them.
INET6_FLAGS = ("anycast", "tentative", "duplicated", "detached", "deprecated", "autoconf",
               "temporary", "prefer_source")  # fmt: skip


def inet6_detail(tokens: list[str], cidr: str) -> Inet6Addr | None:
    """The rest of an ``inet6`` line (sbin/ifconfig/af_inet6.c ``in6_status``,
    ``in6_status_nl``): flags, ``scopeid 0xN``, ``pltime P vltime V`` (with -L,
    or always from the 14.x netlink printer; ``infty`` for an infinite one),
    ``vhid N``.  None when a word is not one af_inet6.c prints."""
    addr_scope, _, plen = cidr.rpartition("/")
    addr_text, _, scope_text = addr_scope.partition("%")
    scope = scope_text or None
    flags: list[str] = []
    times: dict[str, int | None] = {}
    i = 2
    while i < len(tokens):
        word = tokens[i]
        if word in ("prefixlen", "scopeid", "vhid", "-->") and i + 1 < len(tokens):
            i += 2
        elif word in INET6_FLAGS:
            flags.append(word)
            i += 1
        elif word in ("pltime", "vltime") and i + 1 < len(tokens):
            value = tokens[i + 1]
            if value == "infty":
                times[word] = None
            elif value.isdigit():
                times[word] = int(value)
            else:
                return None
            i += 2
        else:
            return None
    return Inet6Addr(
        addr=addr_text,
        prefixlen=int(plen),
        flags=tuple(flags),
        scope=scope,
        pltime=times.get("pltime"),
        vltime=times.get("vltime"),
    )


def parse_inet6(tokens: list[str]) -> str | None:
    """``inet6 A[%scope] prefixlen N ...`` or ``inet6 A/N`` -> "A/N" (af_inet6.c)."""
    if len(tokens) < 2:
        return None
    text = tokens[1]
    if "/" in text:
        addr_text, _, plen_text = text.partition("/")
    elif "prefixlen" in tokens and tokens.index("prefixlen") + 1 < len(tokens):
        addr_text, plen_text = text, tokens[tokens.index("prefixlen") + 1]
    else:
        return None
    try:
        ipaddress.IPv6Address(addr_text)
    except ValueError:
        return None
    if not plen_text.isdigit() or int(plen_text) > 128:
        return None
    return f"{addr_text}/{int(plen_text)}"
