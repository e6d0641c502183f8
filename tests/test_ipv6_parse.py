"""inet6 and nd6 lines of ifconfig, ndp -rn, as FreeBSD prints them."""

from pathlib import Path

import pytest

from laggroam.admin.ipv6report import rows
from laggroam.core.host import Host
from laggroam.edge import ifconfig, ndp

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "ifconfig"
ALL = sorted(p.name for p in FIXTURES.glob("*.txt"))


@pytest.mark.parametrize("name", ALL)
def test_every_inet6_and_nd6_line_of_every_capture_is_read(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for iface in ifconfig.parse(text):
        assert not [e for e in iface.extra if e.startswith(("inet6", "nd6"))], name
        assert len(iface.inet6_addrs) == len(iface.inet6), name
    wanted = sum(1 for line in text.splitlines() if line.strip().startswith("inet6 "))
    assert sum(len(i.inet6_addrs) for i in ifconfig.parse(text)) == wanted


def test_an_autoconf_address_with_lifetimes_from_a_15_capture() -> None:
    (wlan,) = ifconfig.parse((FIXTURES / "wlan-associated-iwm-5ghz-ipv6-autoconf.txt").read_text())
    local, auto = wlan.inet6_addrs
    assert (local.addr, local.scope, local.link_local) == (
        "fe80::a602:b9ff:fea7:ce25", "wlan0", True,
    )  # fmt: skip
    assert (auto.flags, auto.pltime, auto.vltime, auto.usable) == (("autoconf",), 3600, 7200, True)
    assert wlan.nd6 == ("PERFORMNUD", "ACCEPT_RTADV", "AUTO_LINKLOCAL")
    assert wlan.accepts_rtadv


@pytest.mark.parametrize(
    ("line", "flags", "pltime", "vltime", "usable"),
    [
        # ioctl printer with -L: flags, scopeid, then lifetimes (af_inet6.c in6_status)
        ("inet6 2001:db8::1 prefixlen 64 deprecated autoconf pltime 0 vltime 3000",
         ("deprecated", "autoconf"), 0, 3000, False),
        ("inet6 2001:db8::2 prefixlen 64 tentative autoconf temporary", ("tentative", "autoconf",
         "temporary"), None, None, False),
        ("inet6 2001:db8::3 prefixlen 64 autoconf pltime infty vltime infty", ("autoconf",),
         None, None, True),
        ("inet6 2001:db8::4/64 autoconf vhid 3", ("autoconf",), None, None, True),
    ],
)  # fmt: skip
def test_inet6_flags_and_lifetimes(
    line: str, flags: tuple[str, ...], pltime: int | None, vltime: int | None, usable: bool
) -> None:
    (iface,) = ifconfig.parse(f"lagg0: flags=8843<UP> metric 0 mtu 1500\n\t{line}\n")
    (addr,) = iface.inet6_addrs
    assert (addr.flags, addr.pltime, addr.vltime, addr.usable) == (flags, pltime, vltime, usable)


def test_an_inet6_line_with_an_unknown_word_is_kept_verbatim() -> None:
    (iface,) = ifconfig.parse(
        "lagg0: flags=8843<UP> metric 0 mtu 1500\n\tinet6 2001:db8::1 prefixlen 64 frobbed\n"
    )
    assert iface.inet6 == ("2001:db8::1/64",) and iface.inet6_addrs == ()
    assert iface.extra == ("inet6 2001:db8::1 prefixlen 64 frobbed",)


def test_ndp_router_list() -> None:
    # usr.sbin/ndp/ndp.c rtrlist
    text = (
        "fe80::1%lagg0 if=lagg0, flags=, pref=medium, expire=29m50s\n"
        "fe80::2%em1 if=em1, flags=MO, pref=high, expire=Never\n"
    )
    assert ndp.parse_routers(text) == {"lagg0": ("fe80::1%lagg0",), "em1": ("fe80::2%em1",)}
    assert ndp.parse_routers("") == {}
    with pytest.raises(ndp.NdpError, match="line 1"):
        ndp.parse_routers("2001:db8::/64 if=lagg0\n")


def test_status_rows_show_state_and_router() -> None:
    text = (
        "lagg0: flags=8843<UP> metric 0 mtu 1500\n"
        "\tinet6 fe80::1%lagg0 prefixlen 64 scopeid 0x4\n"
        "\tinet6 2001:db8::5 prefixlen 64 autoconf pltime 100 vltime 200\n"
        "\tinet6 2001:db8:9::5 prefixlen 64 autoconf pltime 0 vltime 50\n"
        "\tnd6 options=23<PERFORMNUD,ACCEPT_RTADV,AUTO_LINKLOCAL>\n"
    )
    (lagg,) = ifconfig.parse(text)
    host = Host(interfaces=(lagg,), ipv6_routers={"lagg0": ("fe80::1%lagg0",)})
    assert rows(host, lagg) == [
        ["inet6", "fe80::1%lagg0/64 link-local"],
        ["inet6", "2001:db8::5/64 autoconf preferred for 100s valid 200s"],
        ["inet6", "2001:db8:9::5/64 autoconf deprecated valid 50s"],
        ["router6", "fe80::1%lagg0"],
    ]
    assert rows(Host(interfaces=(lagg,)), lagg)[-1] == ["router6", "?"]
