"""Flag words of ``ifconfig``: ``flags=HEX<NAMES>`` and laggport flags, decoded both ways.

The ioctl printer prints ``HEX<NAMES>`` with printb() (sbin/ifconfig/ifconfig.c);
some captured listings keep only the number.  The tables and the decoding
are apart from the listing parser (``ifconfig``) because a flag word is the
same wherever it stands: an interface's header, a laggport line.
"""

from functools import lru_cache

# Interface flag bit -> name, as the netlink printer names them
# (freebsd-src sbin/ifconfig/ifconfig_netlink.c IFFBITS).  Used only when the
# output shows ``flags=HEX`` without the ``<...>`` names (seed-blog fixture).
IFF_BITS: dict[int, str] = {
    0x1: "UP",
    0x2: "BROADCAST",
    0x4: "DEBUG",
    0x8: "LOOPBACK",
    0x10: "POINTOPOINT",
    0x20: "NEEDSEPOCH",
    0x40: "RUNNING",
    0x80: "NOARP",
    0x100: "PROMISC",
    0x200: "ALLMULTI",
    0x400: "DRV_OACTIVE",
    0x800: "SIMPLEX",
    0x1000: "LINK0",
    0x2000: "LINK1",
    0x4000: "LINK2",
    0x8000: "MULTICAST",
    0x10000: "CANTCONFIG",
    0x20000: "PPROMISC",
    0x40000: "MONITOR",
    0x80000: "STATICARP",
    0x100000: "STICKYARP",
    0x200000: "DYING",
    0x400000: "RENAMING",
    0x800000: "NOGROUP",
    0x1000000: "LOWER_UP",
}

# laggport flag bit -> name (freebsd-src sys/net/if_lagg.h LAGG_PORT_BITS;
# DISABLED 0x20 exists only in an older if_lagg.h).
LAGG_PORT_BITS: dict[int, str] = {
    0x1: "MASTER",
    0x2: "STACK",
    0x4: "ACTIVE",
    0x8: "COLLECTING",
    0x10: "DISTRIBUTING",
    0x20: "DISABLED",
}


def decode_bits(value: int, table: dict[int, str]) -> tuple[str, ...]:
    """Names of the bits set in ``value``, lowest bit first, as printb() prints them.

    Bits the table does not name are left out, as the ioctl printer's printb()
    does (freebsd-src sbin/ifconfig/ifconfig.c); ``value`` itself is kept by
    the caller so nothing is lost.
    """
    return tuple(name for bit, name in sorted(table.items()) if value & bit)


def bit_names(names: str | None, value: int | None, table: dict[int, str]) -> tuple[str, ...]:
    if names is not None:
        return split_names(names)
    if value is not None:
        return decode_bits(value, table)
    return ()


@lru_cache(maxsize=256)
def split_names(names: str) -> tuple[str, ...]:
    """``A,B,C`` -> its names; cached, as every stanza repeats a few flag sets."""
    return tuple(n for n in names.split(",") if n)


def encode_bits(names: tuple[str, ...], table: dict[int, str]) -> int | None:
    """The number the names stand for, or None if one of them is not in the table."""
    bits = {name: bit for bit, name in table.items()}
    if not all(n in bits for n in names):
        return None
    return sum(bits[n] for n in names)
