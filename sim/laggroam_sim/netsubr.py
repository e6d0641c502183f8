"""rc.conf's words for an interface, as network.subr reads them.

freebsd-src libexec/rc/network.subr: ``ifconfig_getargs`` (ifconfig_IF
without the rc pseudo-words), the ``dhcpif``, ``syncdhcpif`` and ``wpaif``
tests, ``wlans_IF`` (``wlan_up``) and ``cloned_interfaces`` (``clone_up``).
"""

from laggroam_sim.state import Sim

PSEUDO_WORDS = {"DHCP", "SYNCDHCP", "NOSYNCDHCP", "WPA", "HOSTAP", "NOAUTO"}


def words(sim: Sim, ifname: str) -> list[str]:
    return sim.state.rc_conf.get(f"ifconfig_{ifname}", "").split()


def ifconfig_args(sim: Sim, ifname: str) -> list[str]:
    """``ifconfig_getargs``: ifconfig_IF without the rc pseudo-words."""
    return [w for w in words(sim, ifname) if w.upper() not in PSEUDO_WORDS]


def dhcpif(sim: Sim, ifname: str) -> bool:
    if ifname.startswith(("lo", "stf", "lp", "sl")):
        return False
    return any(w.upper() in ("DHCP", "SYNCDHCP", "NOSYNCDHCP") for w in words(sim, ifname))


def syncdhcpif(sim: Sim, ifname: str) -> bool:
    upper = [w.upper() for w in words(sim, ifname)]
    if "SYNCDHCP" in upper:
        return True
    if "NOSYNCDHCP" in upper:
        return False
    return sim.state.rc_conf.get("synchronous_dhclient", "NO").upper() in ("YES", "TRUE", "ON")


def wpaif(sim: Sim, ifname: str) -> bool:
    return any(w.upper() == "WPA" for w in words(sim, ifname))


def wlans_of(sim: Sim, radio: str) -> list[str]:
    return sim.state.rc_conf.get(f"wlans_{radio}", "").split()


def cloned(sim: Sim) -> list[str]:
    return [w.split(":")[0] for w in sim.state.rc_conf.get("cloned_interfaces", "").split()]
