"""The table of the programs laggroam runs, by absolute path.

Actions are data and name their programs through this table, so it is kept
apart from the code that runs them (``system``, ``runner``): the planner and
the actions import it without importing anything that touches the host.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Programs:
    """Absolute paths of the programs laggroam runs."""

    # freebsd-src: sbin/ifconfig, usr.sbin/service, sbin/dhclient, sbin/sysctl;
    # wpa_supplicant and wpa_cli install to /usr/sbin (usr.sbin/wpa).
    ifconfig: str = "/sbin/ifconfig"
    service: str = "/usr/sbin/service"
    dhclient: str = "/sbin/dhclient"
    sysctl: str = "/sbin/sysctl"
    wpa_supplicant: str = "/usr/sbin/wpa_supplicant"
    wpa_cli: str = "/usr/sbin/wpa_cli"
    # rc.subr: PS="/bin/ps -ww" (freebsd-src libexec/rc/rc.subr)
    ps: str = "/bin/ps"
    # usr.sbin/ndp and usr.sbin/rtsold (rtsol installs to /sbin)
    ndp: str = "/usr/sbin/ndp"
    rtsol: str = "/sbin/rtsol"
    sh: str = "/bin/sh"
    # Where the host's files are (its pidfiles): "/" on FreeBSD.
    root: str = "/"
    # The PATH of shell commands laggroam runs for devd (chained stock rules):
    # devd's own (usr.sbin/service/service.sh).
    path: str = "/sbin:/bin:/usr/sbin:/usr/bin"
