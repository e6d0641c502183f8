"""Command output truncated, reordered, garbled or missing: the observation marks what it
could not read (or refuses the whole listing), and the plan never acts on a guess.

Each case runs the real stand-in, then mangles what it printed before laggroam reads it.
"""

from collections.abc import Callable

import pytest
from laggroam_sim.state import Sim
from relhelp import Host, prog

from laggroam.edge.runner import Result

Mangle = Callable[[str], str]


def mangle(host: Host, match: tuple[str, ...], how: Mangle, code: int | None = None) -> None:
    """Pass ``match``'s real output through ``how`` (and exit ``code`` if given)."""

    def hook(argv: tuple[str, ...], timeout: float) -> Result | None:
        if prog(argv)[: len(match)] != match:
            return None
        host.hooks.remove(hook)
        try:
            real = host.runner(argv, timeout)
        finally:
            host.hooks.insert(0, hook)
        rc = real.returncode if code is None else code
        return Result(argv, rc, how(real.stdout), real.stderr)

    host.hooks.insert(0, hook)


def cut_mid_line(text: str) -> str:
    return text[: len(text) * 2 // 3].rstrip("\n")


def first_stanzas(text: str) -> str:
    """Whole lines, but the listing stops after em0: wlan0 and lagg0 missing."""
    out = []
    for line in text.splitlines(keepends=True):
        if line.startswith("wlan0:"):
            break
        out.append(line)
    return "".join(out)


def reorder_stanzas(text: str) -> str:
    stanzas: list[list[str]] = []
    for line in text.splitlines(keepends=True):
        if not line[:1].isspace():
            stanzas.append([])
        stanzas[-1].append(line)
    return "".join("".join(s) for s in reversed(stanzas))


def dup_stanza(text: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(lines + lines[:1])


IFCONFIG_REFUSED = [
    ("empty", lambda _t: "", None),
    ("cut-mid-line", cut_mid_line, None),
    ("first-stanzas-only", first_stanzas, None),
    ("stanza-twice", dup_stanza, None),
    ("binary-garbage", lambda _t: "\x00\xff\ufffd" * 40 + "\n", None),
    ("not-ifconfig", lambda _t: "Segmentation fault\n", None),
    ("exit-1-full-output", lambda t: t, 1),
    ("exit-139-half", lambda t: t[: len(t) // 2], 139),
]


@pytest.mark.parametrize(
    ("how", "code"), [c[1:] for c in IFCONFIG_REFUSED], ids=[c[0] for c in IFCONFIG_REFUSED]
)
def test_unreadable_ifconfig_listing_is_refused_and_nothing_runs(
    host: Host, how: Mangle, code: int | None
) -> None:
    host.sim("unplug", "em0")
    mangle(host, ("ifconfig", "-a"), how, code)
    outcome = host.reconcile()
    assert not outcome.observed and outcome.error
    assert outcome.done == [] and host.writes.count == 0
    host.clear()
    host.converge()
    host.healthy()


def test_reordered_ifconfig_listing_reads_the_same(host: Host) -> None:
    mangle(host, ("ifconfig", "-a"), reorder_stanzas)
    outcome = host.reconcile()
    assert outcome.observed and outcome.converged and outcome.done == []


def test_garbled_detail_lines_plan_nothing_new(host: Host) -> None:
    def garble(text: str) -> str:
        out = []
        for line in text.splitlines(keepends=True):
            bad = line.startswith("\t") and ("media" in line or "options" in line)
            out.append("\t" + line[::-1].strip() + " \u00e9\x01\n" if bad else line)
        return "".join(out)

    mangle(host, ("ifconfig", "-a"), garble)
    outcome = host.reconcile()
    assert outcome.observed and outcome.done == []


# -- pidfiles, the ps listing (rc.subr check_pidfile) and wpa_cli -------------------

PS_GARBAGE = [
    ("rc-status-text", lambda _t: "dhclient is running as pid 4.\n", 0),
    ("pid-not-a-number", lambda t: t.replace(" 0 ", " x ", 1), 0),
    ("truncated", lambda t: t[: len(t) // 2], 0),
    ("exit-2", lambda t: t, 2),
    ("exit-1-with-output", lambda t: t, 1),
]


def crash_dhclient(host: Host, ifname: str) -> None:
    """dhclient dies without removing its pidfile (a crash)."""

    def crash(s: Sim) -> None:
        client = s.state.dhclients.pop(ifname)
        s.state.processes.pop(str(client.pid))

    host.with_sim(crash)


@pytest.mark.parametrize(
    ("how", "code"), [c[1:] for c in PS_GARBAGE], ids=[c[0] for c in PS_GARBAGE]
)
def test_unreadable_ps_listing_is_unknown_and_not_acted_on(
    host: Host, how: Mangle, code: int
) -> None:
    crash_dhclient(host, "lagg0")  # it needs starting -- but laggroam cannot see that
    mangle(host, ("ps",), how, code=code)
    outcome = host.reconcile()
    assert outcome.observed and outcome.done == []
    assert "dhclient on lagg0: state unknown; not acted on" in outcome.notes
    assert any("wpa_supplicant on wlan0: state unknown" in n for n in outcome.notes)
    record = host.store.read_journal()[-1]
    assert "dhclient lagg0" in record["observed"]["unknown"]
    host.clear()
    assert [d.action.command() for d in host.reconcile().done] == [
        "service dhclient forcestart lagg0"
    ]


@pytest.mark.parametrize("text", ["x1001\n", "-1\n", "9" * 80, "100000\n"])
def test_a_garbled_pidfile_is_unknown_and_not_acted_on(host: Host, text: str) -> None:
    host.sim("wpa", "kill", "wlan0")
    (host.dir / "root/var/run/wpa_supplicant/wlan0.pid").write_text(text)
    outcome = host.reconcile()
    assert outcome.observed and outcome.done == []
    assert any("wpa_supplicant on wlan0: state unknown" in n for n in outcome.notes)
    (host.dir / "root/var/run/wpa_supplicant/wlan0.pid").unlink()
    host.converge()
    host.healthy()


def test_a_stale_pidfile_is_not_running(host: Host) -> None:
    """rc.subr: the pid in the pidfile must run the program; a crash leaves it behind."""
    host.sim("wpa", "kill", "wlan0")
    assert (host.dir / "root/var/run/wpa_supplicant/wlan0.pid").exists()
    assert host.reconcile().done[0].action.command().startswith("wpa_supplicant ")


WPA_CLI_GARBAGE = [
    ("empty", lambda _t: ""),
    ("truncated-before-state", lambda t: t.split("wpa_state")[0]),
    ("garbled", lambda t: t.replace("=", " ")),
    ("failed", lambda _t: "Failed to connect to non-global ctrl_ifname: wlan0\n"),
]


@pytest.mark.parametrize(
    "how", [c[1] for c in WPA_CLI_GARBAGE], ids=[c[0] for c in WPA_CLI_GARBAGE]
)
def test_unreadable_wpa_cli_is_unknown_and_no_restart(host: Host, how: Mangle) -> None:
    """One unreadable answer is not acted on.  (A supplicant that stays mute for
    stuck_after is restarted on purpose: that is what a hung one looks like.)"""
    mangle(host, ("wpa_cli",), how)
    outcome = host.reconcile(advance=1.0)
    assert outcome.observed and outcome.done == []
    record = host.store.read_journal()[-1]
    assert "wpa_cli wlan0" in record["observed"]["unknown"]
    host.clear()
    assert host.reconcile(advance=1.0).done == []
    host.healthy()


def test_sysctl_garbage_leaves_radios_unknown(host: Host) -> None:
    mangle(host, ("sysctl",), lambda _t: "iwn0 $(reboot)\n")
    host.sim("detach", "iwn0")
    outcome = host.reconcile()
    assert outcome.observed and outcome.done == []
    assert "radios" in host.store.read_journal()[-1]["observed"]["unknown"]
