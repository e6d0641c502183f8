"""The simulated host's devd configuration as FreeBSD ships it, and what devd's media-type sees.

The stock rules are the product's (``laggroam.devd.stockdevd``), written for
the host's release with the scripts they name re-rooted into the simulator.
"""

from collections.abc import Callable
from pathlib import Path

from laggroam.devd import devdconf, stockdevd
from laggroam_sim.model import SimState

# The scripts the stock rules run by absolute path (freebsd-src sbin/devd/devd.conf).
STOCK_SCRIPTS = ("/etc/pccard_ether", "/etc/rc.resume", "/etc/rc.suspend")


def stock_config(root: Path, release: str) -> dict[str, str]:
    """Path under ``root`` -> text of the stock devd configuration for ``release``.

    15.x carries the dhclient rules in /etc/devd/dhclient.conf, 14.x and older
    in /etc/devd.conf (reference section 2; freebsd-src sbin/devd/dhclient.conf).
    The scripts the rules run by absolute path are the simulator's; ``service``
    stays bare and is found on devd's PATH, as on FreeBSD.
    """
    layout = "15" if release.startswith("15.") else "14"
    files = {}
    for path, stock in stockdevd.stock_files(layout).items():
        text = stock if _major(release) >= 14 else _before_14(stock)
        for script in STOCK_SCRIPTS:
            text = text.replace(f'action "{script} ', f'action "{root}{script} ')
        files[path] = text
    return files


def stock(root: Path, release: str) -> devdconf.Config:
    """The stock configuration parsed as devd parses it: /etc/devd.conf, then /etc/devd."""
    files = []
    variables: dict[str, str] = {}
    for path, text in stock_config(root, release).items():
        parsed = devdconf.parse_text(text, f"{root}{path}", variables)
        variables.update(parsed.sets)
        files.append(parsed)
    return devdconf.Config(tuple(files), variables)


def _major(release: str) -> int:
    head = release.split(".", 1)[0]
    return int(head) if head.isdigit() else 15


def _before_14(text: str) -> str:
    """The stock devd.conf up to 13.x: the IFNET ATTACH rule excludes only
    usbus (so ``pccard_ether wlan0 start`` runs on a wlan ATTACH) and the wifi
    driver list lacks the LinuxKPI/rtw88 drivers iwlwifi and rtw (freebsd-src
    sbin/devd/devd.conf, older versions; reference section 0)."""
    text = text.replace('"!(usbus|wlan)[0-9]+"', '"!usbus[0-9]+"')
    return text.replace("iwlwifi|", "").replace("rsu|rtw|", "rsu|")


def media_types(state: SimState) -> Callable[[str], str | None]:
    """What devd's ``media-type`` sees on each simulated interface.

    devd.cc ``media::do_match`` asks SIOCGIFMEDIA for the IFM_TYPE: Ethernet for
    em(4) and lagg(4), IEEE 802.11 for a net80211 vap; lo0 has no media and a
    gone interface answers nothing.
    """
    kinds = {"ether": "Ethernet", "lagg": "Ethernet", "wlan": "802.11"}

    def media_of(ifname: str) -> str | None:
        iface = state.interfaces.get(ifname)
        return None if iface is None else kinds.get(iface.kind)

    return media_of
