"""A roaming setup as rc.conf describes it: what netif would build from the variables.

:class:`Setup` reads rc.conf as data -- which laggs, their ports in the order
they are added, which wlans are created on which radio, what each
``ifconfig_IF`` asks for -- the way libexec/rc/network.subr and rc.d/netif
would act on them.  It is apart from the checks (``rcadvice``) and from
``init`` (``rcinit``), which both read it.
"""

import re
from dataclasses import dataclass

from laggroam.core.policymodel import LaggProto
from laggroam.rc.rcconf import Assignment, RcConf

# network.subr ifconfig_getargs drops these pseudo-arguments (any case)
# before running ifconfig; each one means something to rc instead.
PSEUDO_WORDS = frozenset({"dhcp", "syncdhcp", "nosyncdhcp", "wpa", "hostap", "noauto"})
# dhcpif: any of these makes rc (and devd's LINK_UP rule) run dhclient on IF.
DHCP_WORDS = frozenset({"dhcp", "syncdhcp", "nosyncdhcp"})
# lagg(4)'s default protocol is failover (sys/net/if_lagg.h LAGG_PROTO_DEFAULT).
DEFAULT_PROTO: str = LaggProto.FAILOVER
# Radio drivers network.subr noafif lists (they get no addresses): their
# interfaces are radios, never Ethernet-like lagg ports.
RADIO_DRIVERS = frozenset({"an", "ath", "ipw", "iwi", "iwn", "ral", "wi", "wl", "wpi"})

# network.subr get_if_var turns these characters of an interface name into
# '_' to spell its variables (ifconfig_vlan0_100 for vlan0.100).
_PUNCT = str.maketrans(".-/+", "____")
# A wlan by its name alone (rc.conf may create it under another name too).
WLAN_NAME_RE = re.compile(r"wlan[0-9]+")
_LAGG_RE = re.compile(r"lagg[0-9]+")
# wlan_up finds parents with sed 's/wlans_([a-z]+[0-9]+)=.*/' (network.subr).
_WLANS_RE = re.compile(r"wlans_([a-z]+[0-9]+)")
_IFCONFIG_RE = re.compile(r"ifconfig_([a-z]+[0-9]+)")
_IPV4_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:/[0-9]{1,2})?")
_ADDRESS_FAMILIES = frozenset({"inet", "inet6"})


def rc_var(prefix: str, ifname: str) -> str:
    """The rc.conf variable ``prefix + IF`` for ``ifname`` (network.subr get_if_var)."""
    return prefix + ifname.translate(_PUNCT)


@dataclass(frozen=True, slots=True)
class IfConfig:
    """What ``ifconfig_IF`` (or ``ifconfig_DEFAULT``) asks rc to do with IF."""

    ifname: str
    words: tuple[str, ...]
    assignment: Assignment | None

    def has(self, words: frozenset[str]) -> bool:
        return any(w.lower() in words for w in self.words)

    def spelled(self, words: frozenset[str]) -> list[str]:
        return [w for w in self.words if w.lower() in words]

    @property
    def args(self) -> tuple[str, ...]:
        """The words ifconfig itself gets (network.subr ifconfig_getargs)."""
        return tuple(w for w in self.words if w.lower() not in PSEUDO_WORDS)

    @property
    def dhcp(self) -> bool:
        return self.has(DHCP_WORDS)

    @property
    def wpa(self) -> bool:
        return self.has(frozenset({"wpa"}))

    @property
    def noauto(self) -> bool:
        return self.has(frozenset({"noauto"}))

    @property
    def brought_up(self) -> bool:
        """Whether netif leaves IF up (network.subr ifconfig_up).

        ifconfig_up runs ``ifconfig IF up`` after any real ifconfig words and
        for DHCP; with WPA or HOSTAP it starts wpa_supplicant/hostapd, whose
        BSD driver marks the interface up itself (freebsd-src
        contrib/wpa/src/drivers/driver_bsd.c bsd_ctrl_iface).  An unset or
        empty ifconfig_IF configures nothing, and NOAUTO keeps netif from
        configuring IF at boot at all (network.subr autoif).
        """
        if self.noauto:
            return False
        return bool(self.args) or self.dhcp or self.has(frozenset({"wpa", "hostap"}))

    @property
    def ether(self) -> str | None:
        """The MAC the words force on IF (``ether``/``lladdr``/``link`` MAC), if any."""
        for index, word in enumerate(self.words[:-1]):
            if word in ("ether", "lladdr", "link"):
                return self.words[index + 1]
        return None

    @property
    def address(self) -> str | None:
        """An IPv4/IPv6 address the words give IF, if any."""
        for index, word in enumerate(self.words):
            if word in _ADDRESS_FAMILIES and index + 1 < len(self.words):
                nxt = self.words[index + 1]
                if nxt[:1].isdigit() or ":" in nxt:
                    return f"{word} {nxt}"
            if _IPV4_RE.fullmatch(word):
                return word
        return None


@dataclass(frozen=True, slots=True)
class Lagg:
    """A lagg as netif would build it from cloned_interfaces and its variables."""

    name: str
    ports: tuple[str, ...]
    proto: str
    config: IfConfig
    create_args: Assignment | None
    cloned: Assignment | None

    @property
    def where(self) -> Assignment | None:
        """The variable that adds this lagg's ports (else configures it), for FILE:LINE."""
        create = self.create_args
        if (
            "laggport" not in self.config.words
            and create is not None
            and ("laggport" in create.value.split() or self.config.assignment is None)
        ):
            return create
        if self.config.assignment is not None:
            return self.config.assignment
        return create if create is not None else self.cloned


class Setup:
    """The interfaces netif would configure, derived from the variables."""

    def __init__(self, rc: RcConf) -> None:
        self.rc = rc
        self.cloned: dict[str, Assignment] = {}
        cloned = rc.get("cloned_interfaces")
        if cloned is not None:
            for word in cloned.value.split():
                # clone_up splits "ifn:opt" (:sticky, :nosticky) (network.subr).
                self.cloned.setdefault(word.partition(":")[0], cloned)
        self.wlan_parent: dict[str, tuple[str, Assignment]] = {}
        self.radios: dict[str, list[str]] = {}
        for name, assignment in rc.variables.items():
            found = _WLANS_RE.fullmatch(name)
            if found is None:
                continue
            parent = found.group(1)
            for child in assignment.value.split():
                self.wlan_parent.setdefault(child, (parent, assignment))
                self.radios.setdefault(parent, []).append(child)
        self.laggs = self._laggs()

    def ifconfig(self, ifname: str) -> IfConfig:
        """``ifconfig_IF``, or ``ifconfig_DEFAULT`` when it is unset (get_if_var's default)."""
        assignment = self.rc.get(rc_var("ifconfig_", ifname))
        if assignment is None:
            assignment = self.rc.get("ifconfig_DEFAULT")
        words = tuple(assignment.value.split()) if assignment is not None else ()
        return IfConfig(ifname, words, assignment)

    def is_wireless(self, port: str) -> bool:
        """A wlan vap (wlans_ child or wlanN), a WPA/HOSTAP interface, or a radio."""
        if port in self.wlan_parent or WLAN_NAME_RE.fullmatch(port) or port in self.radios:
            return True
        if self.ifconfig(port).has(frozenset({"wpa", "hostap"})):
            return True
        return port.rstrip("0123456789") in RADIO_DRIVERS

    def lagg_of(self, port: str) -> Lagg | None:
        return next((lagg for lagg in self.laggs if port in lagg.ports), None)

    def _laggs(self) -> list[Lagg]:
        names: list[str] = []
        for name in self.cloned:
            if _LAGG_RE.fullmatch(name) or self._lagg_words(name):
                names.append(name)
        for var in self.rc.variables:
            found = _IFCONFIG_RE.fullmatch(var)
            if found is None or found.group(1) in names:
                continue
            name = found.group(1)
            if _LAGG_RE.fullmatch(name) or self._lagg_words(name):
                names.append(name)
        return [self._lagg(name) for name in names]

    def _lagg_words(self, name: str) -> bool:
        words = self._words(name)
        return "laggport" in words or "laggproto" in words

    def _words(self, name: str) -> list[str]:
        # clone_up runs "ifconfig IF create create_args_IF" before ifn_start
        # applies ifconfig_IF (network.subr clone_up, rc.d/netif netif_start).
        words: list[str] = []
        create = self.rc.get(rc_var("create_args_", name))
        if name in self.cloned and create is not None:
            words.extend(create.value.split())
        words.extend(self.ifconfig(name).args)
        return words

    def _lagg(self, name: str) -> Lagg:
        ports: list[str] = []
        proto = DEFAULT_PROTO
        words = self._words(name)
        index = 0
        while index < len(words):
            word = words[index]
            arg = words[index + 1] if index + 1 < len(words) else None
            # ifconfig's keywords are case-sensitive and each takes the next
            # word as its argument (sbin/ifconfig/iflagg.c).
            if word in ("laggport", "-laggport", "laggproto") and arg is not None:
                index += 1
                if word == "laggport" and arg not in ports:
                    ports.append(arg)
                elif word == "-laggport" and arg in ports:
                    ports.remove(arg)
                elif word == "laggproto":
                    proto = arg
            index += 1
        create = self.rc.get(rc_var("create_args_", name)) if name in self.cloned else None
        return Lagg(name, tuple(ports), proto, self.ifconfig(name), create, self.cloned.get(name))
