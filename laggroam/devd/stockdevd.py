"""The stock FreeBSD devd rules that matter to networking, as devd.conf text.

The simulator installs these as the host's /etc/devd.conf (and /etc/devd/dhclient.conf in
the newest layout), and tests use them to check that laggroam's own rule shadows -- and
then chains to -- exactly the stock behaviour.  Written for laggroam from
/work/shared/reference/freebsd-networking.md §2 and from freebsd-src sbin/devd/devd.conf
and sbin/devd/dhclient.conf (current versions: ``iwlwifi`` in the driver list,
``!(usbus|wlan)[0-9]+``); only the rules a laptop's network and power events reach are
kept, in their stock order and priorities.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "DEVD_CONF",
    "DHCLIENT_CONF",
    "STOCK_DEVD_CONF",
    "WIFI_DRIVER_REGEX",
    "stock_files",
]

# freebsd-src sbin/devd/devd.conf (current): wifi-driver-regex; reference §2.
WIFI_DRIVER_REGEX = (
    "(ath|bwi|bwn|ipw|iwlwifi|iwi|iwm|iwn|malo|mwl|otus|ral|rsu|rtw|rtwn|rum|run|"
    "uath|upgt|ural|urtw|wpi|wtap|zyd)[0-9]+"
)

_OPTIONS = """\
# Networking and power subset of FreeBSD's /etc/devd.conf, as installed by the
# laggroam host simulator.  See devd.conf(5).
#
# NB: every regular expression is implicitly wrapped in ^...$.

options {
\t# Files ending in .conf in these directories are read after this
\t# one, in readdir(3) order.
\tdirectory "/etc/devd";
\tdirectory "/usr/local/etc/devd";
\tpid-file "/var/run/devd.pid";

\t# Wireless drivers whose attach creates, and whose detach destroys,
\t# the wlan(4) interfaces configured on them.
\tset wifi-driver-regex
\t\t"(ath|bwi|bwn|ipw|iwlwifi|iwi|iwm|iwn|malo|mwl|otus|ral|rsu|rtw|\\
\t\trtwn|rum|run|uath|upgt|ural|urtw|wpi|wtap|zyd)[0-9]+";
};
"""

_IFNET_ATTACH = """
#
# Configure an interface when it appears (pccard_ether is a historical
# name).  wlan(4) interfaces are configured by startchildren instead.
#
notify 0 {
\tmatch "system"\t\t"IFNET";
\tmatch "subsystem"\t"!(usbus|wlan)[0-9]+";
\tmatch "type"\t\t"ATTACH";
\taction "/etc/pccard_ether $subsystem start";
};
"""

_LINK_UP_ETHERNET = """
#
# Start dhclient on Ethernet-like interfaces when their link comes up;
# it only runs on interfaces configured for DHCP.
#
notify 0 {
\tmatch "system"\t\t"IFNET";
\tmatch "type"\t\t"LINK_UP";
\tmedia-type\t\t"ethernet";
\taction "service dhclient quietstart $subsystem";
};
"""

_WIFI_DRIVER = """
#
# A wireless driver attaching or detaching starts or stops the wlan(4)
# interfaces configured on it.
#
attach 0 {
\tdevice-name "$wifi-driver-regex";
\taction "/etc/pccard_ether $device-name startchildren";
};
detach 0 {
\tdevice-name "$wifi-driver-regex";
\taction "/etc/pccard_ether $device-name stopchildren";
};
"""

_LINK_UP_80211 = """
#
# The same for 802.11 interfaces.
#
notify 0 {
\tmatch "system"\t\t"IFNET";
\tmatch "type"\t\t"LINK_UP";
\tmedia-type\t\t"802.11";
\taction "service dhclient quietstart $subsystem";
};
"""

_ACPI = """
#
# Suspend and resume requested through ACPI.
#
notify 10 {
\tmatch "system"\t\t"ACPI";
\tmatch "subsystem"\t"Suspend";
\taction "/etc/rc.suspend acpi $notify";
};
notify 10 {
\tmatch "system"\t\t"ACPI";
\tmatch "subsystem"\t"Resume";
\taction "/etc/rc.resume acpi $notify";
};
"""

# FreeBSD 14.x layout: the dhclient rules live in /etc/devd.conf itself.
STOCK_DEVD_CONF = (
    _OPTIONS + _IFNET_ATTACH + _LINK_UP_ETHERNET + _WIFI_DRIVER + _LINK_UP_80211 + _ACPI
)

# Newest layout: /etc/devd.conf without them, plus /etc/devd/dhclient.conf.
DEVD_CONF = _OPTIONS + _IFNET_ATTACH + _WIFI_DRIVER + _ACPI
DHCLIENT_CONF = (
    "#\n# dhclient on link up (sbin/devd/dhclient.conf, installed in /etc/devd).\n#"
    + _LINK_UP_ETHERNET
    + _LINK_UP_80211
)


def stock_files(layout: str = "14") -> Mapping[str, str]:
    """Install path -> text for a stock layout: ``"14"`` (one file) or ``"15"`` (split)."""
    if layout == "14":
        return MappingProxyType({"/etc/devd.conf": STOCK_DEVD_CONF})
    if layout == "15":
        return MappingProxyType(
            {"/etc/devd.conf": DEVD_CONF, "/etc/devd/dhclient.conf": DHCLIENT_CONF}
        )
    raise ValueError(f"unknown stock devd layout {layout!r}: use '14' or '15'")
