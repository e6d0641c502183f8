"""What rc does for IPv6 at boot: network.subr's IPv6 words and rc.d/rtsold.

Apart from the commands (ipv6cmds) because rc runs ifconfig, and ifconfig's
inet6 words are ipv6cmds': the commands never import rc.
"""

from laggroam_sim import ifconfig_cmd, ipv6cmds
from laggroam_sim.state import Sim


def boot_ipv6(sim: Sim, name: str) -> str:
    """network.subr ``ifconfig_up`` for ``ifconfig_IF_ipv6`` and ``ipv6_accept_rtadv_up``.

    ``ifconfig IF inet6 -ifdisabled``, the ``ifconfig_IF_ipv6`` words, then for
    an accept_rtadv interface ``ifconfig IF inet6 accept_rtadv up`` and
    ``/sbin/rtsol ${rtsol_flags} IF`` (libexec/rc/network.subr; the sim also
    skips it when rtsold is enabled, which rc.d/rtsold starts after netif).
    """
    rc_conf = sim.state.rc_conf
    words = rc_conf.get(f"ifconfig_{name}_ipv6", "").split()
    if not words:
        return ""
    if words[0] != "inet6":
        words = ["inet6", *words]
    err = "".join(ifconfig_cmd.run(sim, [name, "inet6", "-ifdisabled"]).err)
    err += "".join(ifconfig_cmd.run(sim, [name, *words]).err)
    if "accept_rtadv" in words:
        err += "".join(ifconfig_cmd.run(sim, [name, "inet6", "accept_rtadv", "up"]).err)
        if rc_conf.get("rtsold_enable", "NO").upper() != "YES":
            err += ipv6cmds.rtsol(sim, [*rc_conf.get("rtsol_flags", "-i").split(), name])[1]
    return err


def boot_rtsold(sim: Sim) -> str:
    """rc.d/rtsold: ``rtsold ${rtsold_flags}`` when enabled.

    The defaults (``rtsol_flags="-i"``, ``rtsold_flags="-a -i"``) are those
    rc.conf(5) documents for libexec/rc/rc.conf, not re-read there.
    """
    rc_conf = sim.state.rc_conf
    if rc_conf.get("rtsold_enable", "NO").upper() != "YES":
        return ""
    return ipv6cmds.rtsold(sim, rc_conf.get("rtsold_flags", "-a -i").split())[1]
