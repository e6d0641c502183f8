"""Helpers for the simulator tests: in-memory hosts, invariants, parse-back checks."""

from pathlib import Path

from laggroam_sim import engine, ifconfig_cmd, ifconfig_out, kernel, laggports, laptop
from laggroam_sim.model import ZERO_MAC, SimState
from laggroam_sim.state import Sim

from laggroam.edge import ifconfig

NOWHERE = Path("/nonexistent-sim-dir")
# the shared fixtures next to the repository (as tests/conftest.py finds them)
IFCONFIG_FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ifconfig"


def boot_laptop(release: str = "15.0", late: tuple[str, ...] = ()) -> Sim:
    """The seed's laptop, booted, held in memory (never saved)."""
    sim = Sim(NOWHERE, laptop.new_state(release))
    laptop.power_on(sim, late=late)
    return sim


def ifconfig_run(sim: Sim, *argv: str) -> ifconfig_cmd.Result:
    """Run the stand-in ifconfig in memory and let the host settle."""
    res = ifconfig_cmd.run(sim, list(argv))
    engine.settle(sim)
    return res


def reference_active(state: SimState, lagg_name: str) -> str | None:
    """An independent reading of if_lagg.c lagg_link_active for the tests."""
    lagg = state.interfaces[lagg_name]

    def active(p: str) -> bool:
        i = state.interfaces[p]
        return i.link and i.up

    if lagg.primary is None:
        return None
    if active(lagg.primary):
        return lagg.primary
    pos = lagg.ports.index(lagg.primary)
    if pos + 1 < len(lagg.ports) and active(lagg.ports[pos + 1]):
        return lagg.ports[pos + 1]
    for p in lagg.ports:
        if active(p):
            return p
    return None


def check_lagg_invariants(state: SimState) -> None:
    """lagg(4) facts from the reference (section 3) that must hold in every state."""
    for lagg in state.interfaces.values():
        if lagg.kind != "lagg":
            continue
        ports = lagg.ports
        assert ports == sorted(ports, key=lambda p: state.interfaces[p].index)
        assert len(set(ports)) == len(ports)
        for p in ports:
            assert state.interfaces[p].lagg == lagg.name
        if not ports:
            assert lagg.primary is None
            assert lagg.mac == ZERO_MAC
            assert not lagg.link
            continue
        assert lagg.primary in ports
        primary = state.interfaces[lagg.primary]
        # the lagg wears the primary's own address, and so does every port
        assert lagg.mac == primary.saved_mac
        for p in ports:
            assert state.interfaces[p].mac == lagg.mac, p
        assert lagg.link == any(state.interfaces[p].link for p in ports)
        if lagg.proto == "failover":
            flags = {p: kernel.port_flags(state, lagg, p) for p in ports}
            masters = [p for p, f in flags.items() if f & kernel.PORT_MASTER]
            actives = [p for p, f in flags.items() if f & kernel.PORT_ACTIVE]
            assert masters == [lagg.primary]
            expected = reference_active(state, lagg.name)
            assert actives == ([expected] if expected else [])
    for iface in state.interfaces.values():
        if iface.lagg is None:
            assert iface.saved_mac is None
        else:
            assert iface.lagg in state.interfaces
            assert iface.name in state.interfaces[iface.lagg].ports


# the lines the parser keeps verbatim: nd6 and the word-wrapped 802.11 attributes
KEPT_VERBATIM = ("nd6", "regdomain", "deftxkey", "protmode", "authmode", "bintval")


def check_roundtrip(state: SimState) -> None:
    """``ifconfig -a`` from the stand-in parses back to exactly the simulated state."""
    text = ifconfig_out.render_all(state)
    parsed = {i.name: i for i in ifconfig.parse(text)}
    assert list(parsed) == [i.name for i in kernel.ordered(state)]
    new = ifconfig_out.is_new(state)
    for iface in kernel.ordered(state):
        got = parsed[iface.name]
        value = ifconfig_out.flags_value(state, iface)
        assert got.flags_value == value
        assert got.is_up == iface.up
        assert got.mtu == iface.mtu
        # what the parser keeps verbatim: the word-wrapped 802.11 attributes
        block = ifconfig_out.render(state, iface).splitlines()[1:]
        kept = tuple(
            line.strip()
            for line in block
            if line.split()[0] in ("regdomain", "deftxkey", "protmode", "authmode", "bintval")
        )
        assert got.extra == kept, got.extra
        # nd6 options and every inet6 address, as the kernel holds them
        shown = any(line.split()[0] == "nd6" for line in block)
        names = ifconfig_out.nd6_options(state, iface).split("<")[1].rstrip(">").split(",")
        assert got.nd6 == (tuple(names) if shown else ())
        assert [(a.addr, a.prefixlen) for a in got.inet6_addrs] == [
            (a.addr, a.prefixlen) for a in iface.inet6
        ]
        caps = ifconfig_out.caps_of(state, iface)
        assert got.options_value == (caps or None)
        assert got.inet == tuple(f"{a.addr}/{a.prefixlen}" for a in iface.inet)
        # the 7-era output has no groups line (seed capture)
        seven = ifconfig_out.major(state) < 11
        assert got.groups == (() if seven else ifconfig_out.groups_of(iface))
        if iface.kind == "loop":
            assert got.ether is None
            continue
        assert got.ether == iface.mac
        assert got.hwaddr == (iface.hwaddr if ifconfig_out.prints_hwaddr(state, iface) else None)
        assert got.status == ifconfig_out.status_text(state, iface)
        if iface.kind == "ether":
            assert got.has_link == iface.link
        if iface.kind == "wlan":
            assert got.is_wireless
            assert got.bssid == iface.bssid
            assert got.parent == (iface.parent if new else None)
            ap = next((a for a in state.aps.values() if a.bssid == iface.bssid), None)
            assert got.ssid == (ap.ssid if ap is not None and iface.bssid else "")
            assert got.has_link == iface.link
        if iface.kind == "lagg":
            assert got.lagg is not None
            assert got.lagg.proto == iface.proto
            assert got.lagg.port_names == tuple(iface.ports)
            for port in got.lagg.ports:
                assert port.flags_value == kernel.port_flags(state, iface, port.name)
            if iface.proto == "failover":
                assert got.lagg.primary == iface.primary
                assert got.lagg.active == laggports.active_port(state, iface)
        else:
            assert got.lagg is None
            assert got.laggdev == (iface.lagg if seven else None)
