"""Interface names as FreeBSD allows them, checked before any name reaches an argv.

IFNAMSIZ is 16 including the NUL, so a name has at most 15 characters
(freebsd-src sys/net/if.h).  laggroam accepts the conservative subset that
drivers and cloners produce: a letter first, then letters, digits, ``_`` and
``.`` (``em0``, ``wlan0``, ``vlan0.100``, ``lagg0``).  Anything else -- shell
metacharacters, spaces, slashes, non-ASCII -- is refused.

This is the one copy of the rule: the hooks import it too (through
``laggroam.devd.hookclient``), so the module imports nothing at all, not even
``re``, which a hook started with ``python3 -I -S`` would pay for.
"""

IFNAMSIZ = 16
MAX_IFNAME = IFNAMSIZ - 1

_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAME_REST = _LETTERS | frozenset("0123456789_.")


def is_ifname(name: str) -> bool:
    """True when ``name`` is a valid FreeBSD interface name."""
    return (
        0 < len(name) <= MAX_IFNAME
        and name[0] in _LETTERS
        and all(c in _NAME_REST for c in name[1:])
    )


def ifname_problem(name: str) -> str | None:
    """Why ``name`` is not a valid interface name, or None when it is."""
    if not name:
        return "empty interface name"
    if len(name) > MAX_IFNAME:
        return f"interface name {name[:20]!r} is longer than {MAX_IFNAME} characters"
    if not is_ifname(name):
        return f"invalid interface name {name!r}: a letter first, then letters, digits, '_' or '.'"
    return None


def wlan_create_args(name: str, parent: str, create_args: tuple[str, ...] = ()) -> list[str]:
    """ifconfig's arguments that create the wlan ``name`` on the radio ``parent``.

    The wlan cloner answers only to ``wlanN``; any other name is made by
    creating a wlan and renaming it in the same command, as rc does
    (freebsd-src libexec/rc/network.subr ``wlan_up``:
    ``ifconfig wlan create wlandev PARENT ARGS name CHILD``).
    """
    unit = name.removeprefix("wlan")
    if unit != name and unit.isascii() and unit.isdigit():
        return [name, "create", "wlandev", parent, *create_args]
    return ["wlan", "create", "wlandev", parent, *create_args, "name", name]
