"""The things laggroam does to a host, each with its argv and its proof of effect.

An action is data: the planner creates it with a reason an administrator
understands, the executor turns it into an argv (program paths from the
``Programs`` table) and, after running it, checks on a fresh observation that
its effect is visible.  Nothing here runs a program.
"""

from dataclasses import dataclass

from laggroam.core.host import Host
from laggroam.core.ifname import wlan_create_args
from laggroam.core.programs import Programs

# wpa_supplicant as libexec/rc/rc.d/wpa_supplicant starts it: the rc.conf
# default flags "-s" (libexec/rc/rc.conf), then "-B -i IF -c CONF -D DRIVER
# -P /var/run/wpa_supplicant/IF.pid".  laggroam runs the same command line so
# that it can honour the policy's wpa_conf.
WPA_PIDFILE = "/var/run/wpa_supplicant/{ifname}.pid"


@dataclass(frozen=True, slots=True)
class Action:
    """Base: ``target`` is the interface acted on, ``reason`` why."""

    target: str
    reason: str

    @property
    def verb(self) -> str:
        return type(self).__name__

    @property
    def key(self) -> str:
        """Identity for retry bookkeeping: the same change on the same target."""
        return f"{self.verb} {self.target}"

    @property
    def timeout(self) -> float:
        return 10.0

    def argv(self, programs: Programs) -> list[str]:
        raise NotImplementedError

    def argvs(self, programs: Programs) -> list[list[str]]:
        """Every command of the action, run in order (most actions have one)."""
        return [self.argv(programs)]

    def done(self, host: Host) -> bool:
        """True when a fresh observation shows this action's effect."""
        raise NotImplementedError

    def command(self, programs: Programs | None = None) -> str:
        """The command line(s) as an administrator would type them."""
        lines = []
        for argv in self.argvs(programs or Programs()):
            argv[0] = argv[0].rsplit("/", 1)[-1]
            lines.append(" ".join(argv))
        return " && ".join(lines)


@dataclass(frozen=True, slots=True)
class CreateLagg(Action):
    def argv(self, programs: Programs) -> list[str]:
        return [programs.ifconfig, self.target, "create"]

    def done(self, host: Host) -> bool:
        iface = host.get(self.target)
        return iface is not None and iface.lagg is not None


@dataclass(frozen=True, slots=True)
class SetLaggProto(Action):
    proto: str = "failover"

    def argv(self, programs: Programs) -> list[str]:
        # sbin/ifconfig/iflagg.c: "laggproto NAME" -> SIOCSLAGG.
        return [programs.ifconfig, self.target, "laggproto", self.proto]

    def done(self, host: Host) -> bool:
        iface = host.get(self.target)
        return iface is not None and iface.lagg is not None and iface.lagg.proto == self.proto


@dataclass(frozen=True, slots=True)
class AddLaggPort(Action):
    """A port joins the lagg; ``mac`` is the MAC it wears then, which the lagg keeps
    as its lp_lladdr (sys/net/if_lagg.c lagg_port_create), None when unknown."""

    port: str = ""
    mac: str | None = None

    @property
    def key(self) -> str:
        return f"{self.verb} {self.target} {self.port}"

    def argv(self, programs: Programs) -> list[str]:
        # sbin/ifconfig/iflagg.c: "laggport IF" -> SIOCSLAGGPORT.
        return [programs.ifconfig, self.target, "laggport", self.port]

    def done(self, host: Host) -> bool:
        iface = host.get(self.target)
        return iface is not None and iface.lagg is not None and self.port in iface.lagg.port_names


@dataclass(frozen=True, slots=True)
class RemoveLaggPort(Action):
    """A port leaves the lagg; with ``primary`` set it leaves only to rejoin behind it.

    FreeBSD has no verb to re-order ports: the primary is the first port
    added (sys/net/if_lagg.c lagg_port_create), so restoring it means the
    other ports leave and the plan adds them back.  Such a removal is proved
    by its purpose -- ``primary`` is the lagg's primary again and the port a
    member -- not by the port's absence, which the re-add undoes at once.
    """

    port: str = ""
    primary: str | None = None

    @property
    def key(self) -> str:
        return f"{self.verb} {self.target} {self.port}"

    def argv(self, programs: Programs) -> list[str]:
        # sbin/ifconfig/iflagg.c: "-laggport IF" -> SIOCSLAGGDELPORT.
        return [programs.ifconfig, self.target, "-laggport", self.port]

    def done(self, host: Host) -> bool:
        iface = host.get(self.target)
        if iface is None or iface.lagg is None:
            return self.primary is None
        if self.primary is not None:
            return iface.lagg.primary == self.primary and self.port in iface.lagg.port_names
        return self.port not in iface.lagg.port_names


@dataclass(frozen=True, slots=True)
class SetEther(Action):
    mac: str = ""

    def argv(self, programs: Programs) -> list[str]:
        # sbin/ifconfig/af_link.c: "ether ADDR" -> SIOCSIFLLADDR.
        return [programs.ifconfig, self.target, "ether", self.mac]

    def done(self, host: Host) -> bool:
        iface = host.get(self.target)
        return iface is not None and (iface.ether or "").lower() == self.mac.lower()


@dataclass(frozen=True, slots=True)
class BringUp(Action):
    def argv(self, programs: Programs) -> list[str]:
        return [programs.ifconfig, self.target, "up"]

    def done(self, host: Host) -> bool:
        iface = host.get(self.target)
        return iface is not None and iface.is_up


@dataclass(frozen=True, slots=True)
class CreateWlan(Action):
    parent: str = ""
    create_args: tuple[str, ...] = ()

    def argv(self, programs: Programs) -> list[str]:
        return [programs.ifconfig, *wlan_create_args(self.target, self.parent, self.create_args)]

    def done(self, host: Host) -> bool:
        return host.get(self.target) is not None


@dataclass(frozen=True, slots=True)
class StartWpa(Action):
    conf: str = "/etc/wpa_supplicant.conf"

    @property
    def timeout(self) -> float:
        return 15.0

    def argv(self, programs: Programs) -> list[str]:
        return [
            programs.wpa_supplicant,
            "-s",
            "-B",
            "-i",
            self.target,
            "-c",
            self.conf,
            "-D",
            "bsd",
            "-P",
            WPA_PIDFILE.format(ifname=self.target),
        ]

    def done(self, host: Host) -> bool:
        sup = host.wpa.get(self.target)
        return sup is not None and sup.running is True


@dataclass(frozen=True, slots=True)
class RestartWpa(Action):
    """Stop the wlan's wpa_supplicant and start a new one with the policy's config."""

    conf: str = "/etc/wpa_supplicant.conf"
    old_pid: int | None = None
    # The policy's stuck_after: the base of the back-off before the next restart.
    stuck_after: float = 0.0

    @property
    def timeout(self) -> float:
        return 15.0

    def argv(self, programs: Programs) -> list[str]:
        return StartWpa(self.target, self.reason, self.conf).argv(programs)

    def argvs(self, programs: Programs) -> list[list[str]]:
        return [StopWpa(self.target, self.reason).argv(programs), self.argv(programs)]

    def done(self, host: Host) -> bool:
        sup = host.wpa.get(self.target)
        return sup is not None and sup.running is True and sup.pid != self.old_pid


@dataclass(frozen=True, slots=True)
class StopWpa(Action):
    def argv(self, programs: Programs) -> list[str]:
        # libexec/rc/rc.d/wpa_supplicant: stop signals the pid in the pidfile.
        return [programs.service, "wpa_supplicant", "stop", self.target]

    def done(self, host: Host) -> bool:
        sup = host.wpa.get(self.target)
        return sup is not None and sup.running is False


@dataclass(frozen=True, slots=True)
class StartDhclient(Action):
    @property
    def timeout(self) -> float:
        return 30.0

    def argv(self, programs: Programs) -> list[str]:
        # libexec/rc/rc.d/dhclient refuses an interface that rc.conf does not
        # mark DHCP unless forced (dhclient_pre_check tests rc_force).
        return [programs.service, "dhclient", "forcestart", self.target]

    def done(self, host: Host) -> bool:
        proc = host.dhclient.get(self.target)
        return proc is not None and proc.running is True


@dataclass(frozen=True, slots=True)
class RenewDhcp(Action):
    old_pid: int | None = None

    @property
    def timeout(self) -> float:
        return 30.0

    def argv(self, programs: Programs) -> list[str]:
        # restart = stop + start; the new dhclient first re-requests its
        # recorded lease (sbin/dhclient/dhclient.c state_reboot).
        return [programs.service, "dhclient", "forcerestart", self.target]

    def done(self, host: Host) -> bool:
        proc = host.dhclient.get(self.target)
        return proc is not None and proc.running is True and proc.pid != self.old_pid


@dataclass(frozen=True, slots=True)
class StopDhclient(Action):
    def argv(self, programs: Programs) -> list[str]:
        return [programs.service, "dhclient", "forcestop", self.target]

    def done(self, host: Host) -> bool:
        proc = host.dhclient.get(self.target)
        return proc is None or proc.running is False
