"""The host seen through its programs: where they live, and ``observe()``.

Every host is observed by exactly the same code; only its program table
differs (FreeBSD's absolute paths, or those its site names: laggroam.edge.site).
"""

import logging
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence

from laggroam.core.action import Action
from laggroam.core.host import Host, Process, Supplicant
from laggroam.core.ifname import is_ifname
from laggroam.core.programs import Programs
from laggroam.edge import ifconfig, ndp, rcstatus
from laggroam.edge.runner import Result, run

log = logging.getLogger(__name__)

VM_GUEST_RE = re.compile(r"[a-z][a-z0-9_-]{0,31}")

OBSERVE_TIMEOUT = 5.0


class ObserveError(Exception):
    """The host could not be observed at all (no usable ``ifconfig -a``)."""


def parse_wpa_cli_status(text: str) -> dict[str, str]:
    """``wpa_cli -i IF status`` key=value lines (contrib/wpa wpa_cli.c)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key and key.replace("_", "").isalnum():
            fields[key] = value
    return fields


class System:
    """Observe a host through its programs."""

    def __init__(
        self,
        programs: Programs,
        timeout: float = OBSERVE_TIMEOUT,
        runner: Callable[[Sequence[str], float], Result] | None = None,
    ) -> None:
        self.programs = programs
        self.timeout = timeout
        self._runner = runner or (lambda argv, timeout: run(argv, timeout=timeout))

    def run(self, argv: list[str]) -> Result:
        return self._runner(argv, self.timeout)

    def execute(self, action: Action) -> list[Result]:
        """Run one action's commands in order; a failure is logged and survived."""
        results = []
        for argv in action.argvs(self.programs):
            result = self._runner(argv, action.timeout)
            if not result.ok:
                log.warning("%s (%s)", result.describe(), action.reason)
            results.append(result)
        return results

    def observe(
        self,
        dhcp_ifaces: Iterable[str] | None = None,
        wpa_ifaces: Iterable[str] | None = None,
        wlans: Iterable[str] | None = None,
        *,
        reuse: Host | None = None,
        changed: Collection[str] = (),
    ) -> Host:
        """Snapshot the host with as few programs as the question needs.

        ``dhcp_ifaces`` / ``wpa_ifaces`` name the interfaces whose dhclient and
        wpa_supplicant are asked about; None means every interface but
        loopback, and every wlan.  ``net.wlan.devices`` is asked only when one
        of ``wlans`` is missing (None: always).  Process state comes from the
        pidfiles and one ``ps`` for all of them (rcstatus); ``wpa_cli`` only
        for wlans whose supplicant runs.  With ``reuse`` (a snapshot taken
        moments ago), a supplicant whose pid is unchanged and whose wlan is not
        in ``changed`` keeps its earlier ``wpa_cli`` answer.  What cannot be
        read is listed in ``Host.unknown``.
        """
        text, base = self._listing()
        names = base.names()
        dhcp_ifaces = list(dhcp_ifaces) if dhcp_ifaces is not None else None
        wpa_ifaces = list(wpa_ifaces) if wpa_ifaces is not None else None
        wanted = {*(dhcp_ifaces or ()), *(wpa_ifaces or ())}
        self._check_complete(text, names, wanted)
        unknown: list[str] = list(base.unknown)

        radios = None
        if wlans is None or any(base.get(w) is None for w in wlans):
            radios = self._radios(unknown)
        if dhcp_ifaces is None:
            dhcp_ifaces = [i.name for i in base.interfaces if "LOOPBACK" not in i.flags]
        if wpa_ifaces is None:
            wpa_ifaces = [i.name for i in base.interfaces if "wlan" in i.groups]
        dhcp_names, wpa_names = _valid(dhcp_ifaces), _valid(wpa_ifaces)
        procs = self._processes(
            [(rcstatus.DHCLIENT, n) for n in dhcp_names]
            + [(rcstatus.WPA_SUPPLICANT, n) for n in wpa_names]
        )
        dhclient = {}
        for name in dhcp_names:
            state = procs[(rcstatus.DHCLIENT.name, name)]
            if state.running is None:
                unknown.append(f"dhclient {name}")
            dhclient[name] = state
        wpa = {
            name: self._supplicant_again(
                name, procs[(rcstatus.WPA_SUPPLICANT.name, name)], reuse, changed, unknown
            )
            for name in wpa_names
        }
        routers = None
        if ndp.wanted([i.accepts_rtadv for i in base.interfaces]):
            routers = ndp.observe_routers(self.run, self.programs.ndp, unknown)
        return Host(
            interfaces=base.interfaces,
            dhclient=dhclient,
            wpa=wpa,
            radios=radios,
            unknown=tuple(unknown),
            ipv6_routers=routers,
        )

    def _listing(self) -> tuple[str, Host]:
        """``ifconfig -a``, parsed; ObserveError when it fails or is garbled."""
        listing = self.run([self.programs.ifconfig, "-a"])
        if not listing.ok:
            raise ObserveError(listing.describe())
        try:
            base = ifconfig.parse_host(listing.stdout)
        except ifconfig.IfconfigError as exc:
            raise ObserveError(f"ifconfig -a: {exc}") from None
        # ifconfig -a prints one stanza per interface index
        # (sbin/ifconfig/ifconfig_netlink.c list_interfaces_nl): a name seen
        # twice is garbled output, and which stanza is right cannot be told.
        twice = sorted(n for n, count in Counter(base.names()).items() if count > 1)
        if twice:
            raise ObserveError(f"ifconfig -a: {', '.join(twice)} listed twice; output garbled")
        return listing.stdout, base

    def _supplicant_again(
        self,
        name: str,
        proc: Process,
        reuse: Host | None,
        changed: Collection[str],
        unknown: list[str],
    ) -> Supplicant:
        """The wlan's supplicant: the earlier ``wpa_cli`` answer while its pid is the same
        and no action touched the wlan, else asked again."""
        before = reuse.wpa.get(name) if reuse is not None and name not in changed else None
        if before is None or not proc.running or before.pid != proc.pid:
            return self._supplicant(name, proc, unknown)
        if before.state is None:
            unknown.append(f"wpa_cli {name}")
        return before

    def _processes(
        self, wanted: list[tuple[rcstatus.Daemon, str]]
    ) -> dict[tuple[str, str], Process]:
        """Each (daemon, interface)'s process: its pidfile, then one ``ps`` for every pid read."""
        pids: dict[tuple[str, str], int | None] = {}
        out: dict[tuple[str, str], Process] = {}
        programs: dict[tuple[str, str], str] = {}
        pidfiles = rcstatus.Pidfiles(self.programs.root)
        for daemon, ifname in wanted:
            key = (daemon.name, ifname)
            try:
                pids[key] = pidfiles.read(daemon.pidfile_for(ifname))
                programs[key] = daemon.name
            except rcstatus.Unreadable as exc:
                log.warning("%s state unknown: %s", daemon.name, exc)
                out[key] = Process(None, None)
        asked = {pid for pid in pids.values() if pid is not None}
        listing: dict[int, tuple[int, str]] = {}
        if asked:
            result = self.run(rcstatus.ps_argv(self.programs.ps, asked))
            try:
                # ps exits 1, silent, when none of the pids is a process (bin/ps/ps.c)
                if result.error is not None or result.returncode not in (0, 1):
                    raise rcstatus.Unreadable(result.describe())
                if result.returncode == 1 and result.stdout.strip():
                    raise rcstatus.Unreadable(result.describe())
                listing = rcstatus.parse_ps(result.stdout)
            except rcstatus.Unreadable as exc:
                log.warning("process states unknown: %s", exc)
                for key, pid in pids.items():
                    out[key] = Process(None, None) if pid is not None else Process(False, None)
                return out
        out.update(rcstatus.states(pids, programs, listing))
        return out

    def _check_complete(self, text: str, names: tuple[str, ...], wanted: set[str]) -> None:
        """Refuse an ``ifconfig -a`` listing that was cut short, rather than plan on it.

        Every line ifconfig prints ends in a newline, and ``ifconfig -l`` names
        the same interfaces as ``-a`` (the same loop of
        sbin/ifconfig/ifconfig_netlink.c list_interfaces_nl); an interface
        missing from the listing would otherwise look absent and be created.
        ``-l`` is asked only when an interface in ``wanted`` is not shown.
        """
        if text and not text.endswith("\n"):
            raise ObserveError("ifconfig -a: output cut short (no final newline)")
        if not wanted - set(names):
            return
        check = self.run([self.programs.ifconfig, "-l"])
        if not check.ok:
            return
        try:
            listed = ifconfig.parse_list(check.stdout)
        except ifconfig.IfconfigError:
            return
        missing = sorted(set(listed) - set(names))
        if missing and listed:
            raise ObserveError(
                f"ifconfig -a does not show {', '.join(missing[:4])} that ifconfig -l lists;"
                " output incomplete"
            )

    def vm_guest(self) -> str:
        """``kern.vm_guest``, which devd offers every rule as ``$vm_guest``; "" if unknown.

        The kernel names the hypervisor it runs under ("none", "hv", "kvm",
        "bhyve", ...: sys/kern/subr_param.c ``vm_guest_sysctl_names``).
        """
        result = self.run([self.programs.sysctl, "-n", "kern.vm_guest"])
        value = result.stdout.strip() if result.ok else ""
        if not VM_GUEST_RE.fullmatch(value):
            why = result.describe() if not result.ok else f"{value[:40]!r}"
            log.warning("kern.vm_guest unknown (%s): devd rules see $vm_guest empty", why)
            return ""
        return value

    def _radios(self, unknown: list[str]) -> tuple[str, ...] | None:
        # net.wlan.devices lists the attached 802.11 devices, space separated
        # (freebsd-src sys/net80211/ieee80211_freebsd.c).
        result = self.run([self.programs.sysctl, "-n", "net.wlan.devices"])
        if not result.ok:
            unknown.append("radios")
            return None
        names = tuple(result.stdout.split())
        if not all(is_ifname(n) for n in names):
            unknown.append("radios")
            return None
        return names

    def _supplicant(self, name: str, proc: Process, unknown: list[str]) -> Supplicant:
        if proc.running is None:
            unknown.append(f"wpa_supplicant {name}")
            return Supplicant(None)
        if not proc.running:
            return Supplicant(False)
        status = self.run([self.programs.wpa_cli, "-i", name, "status"])
        fields = parse_wpa_cli_status(status.stdout) if status.ok else {}
        state = fields.get("wpa_state")
        if state is None:
            unknown.append(f"wpa_cli {name}")
        return Supplicant(True, proc.pid, state, fields.get("ssid"), fields.get("bssid"))


def _valid(names: Iterable[str]) -> list[str]:
    good = []
    for name in names:
        if is_ifname(name):
            good.append(name)
        else:
            log.warning("not observing %r: not a valid interface name", name)
    return good
