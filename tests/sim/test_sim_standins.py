"""The stand-in programs: FreeBSD's argv, texts and exit codes, and the write count."""

import subprocess
from pathlib import Path

import pytest
from laggroam_sim import binscripts, standin, userland
from laggroam_sim.cli import main
from laggroam_sim.state import read_only

from laggroam.edge import ifconfig


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sim_dir = tmp_path_factory.mktemp("sim")
    assert main(["init", "laptop"], sim_dir) == 0
    return sim_dir


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    assert main(["init", "laptop"], tmp_path) == 0
    return tmp_path


def run(sim_dir: Path, prog: str, *argv: str) -> tuple[int, str, str]:
    r = standin.execute(prog, list(argv), sim_dir)
    return r.status, r.out, r.err


def test_the_installed_scripts_run_as_programs(host: Path) -> None:
    for prog in binscripts.PROGRAMS:
        assert (host / "bin" / prog).stat().st_mode & 0o111
    proc = subprocess.run(
        [str(host / "bin" / "ifconfig"), "-a"],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0
    names = [i.name for i in ifconfig.parse(proc.stdout)]
    assert names == ["lo0", "em0", "wlan0", "lagg0"]
    proc = subprocess.run(
        [str(host / "bin" / "ifconfig"), "nope0"],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1, "", "ifconfig: interface nope0 does not exist\n",
    )  # fmt: skip


def test_the_products_observer_reads_the_simulated_host(host: Path) -> None:
    from laggroam.edge.site import Site
    from laggroam.edge.system import System

    seen = System(Site.load(host).programs, timeout=30).observe()
    assert seen.unknown == ()
    assert seen.radios == ("iwn0",)
    lagg = seen.laggs()["lagg0"]
    assert (lagg.primary, lagg.active) == ("em0", "em0")
    assert seen.dhclient["lagg0"].running is True
    wpa = seen.wpa["wlan0"]
    assert (wpa.running, wpa.state, wpa.ssid) == (True, "COMPLETED", "home")


IFCONFIG_CASES = [
    ("-l", 0, "lo0 em0 wlan0 lagg0\n", ""),
    ("-l -d", 0, "\n", ""),
    ("-g lagg", 0, "lagg0\n", ""),
    ("-g nosuchgroup", 0, "", ""),
    ("lagg0 laggproto bogus", 1, "", "Invalid aggregation protocol: bogus"),
    ("lagg0 laggport", 1, "", "'laggport' requires argument"),
    ("lagg0 -laggport nope0", 1, "", "SIOCSLAGGDELPORT: Invalid argument"),
    ("lagg0 -laggport lo0", 1, "", "SIOCSLAGGDELPORT: No such file or directory"),
    ("lagg0 laggport lo0", 1, "", "lagg0 lo0: SIOCSLAGGPORT: Protocol not supported"),
    ("lagg0 laggport em0", 0, "", ""),
    ("em0 destroy", 1, "", "SIOCIFDESTROY: Invalid argument"),
    ("wlan1 create", 1, "", "must specify a parent device (wlandev) when creating a wlan device"),
    ("wlan1 create wlandev ath0", 1, "", "SIOCIFCREATE2: Device not configured"),
    ("lagg0 create", 1, "", "SIOCIFCREATE2: File exists"),
    ("em0 ether zz", 1, "", "malformed link-level address"),
    ("em0 bogus", 1, "", "bogus: bad value"),
]


@pytest.mark.parametrize(("cmdline", "status", "out", "err"), IFCONFIG_CASES)
def test_ifconfig_argv_and_errors(
    host: Path, cmdline: str, status: int, out: str, err: str
) -> None:
    expected_err = f"ifconfig: {err}\n" if err else ""
    assert run(host, "ifconfig", *cmdline.split()) == (status, out, expected_err)


def test_ifconfig_rejects_unknown_options(host: Path) -> None:
    status, out, err = run(host, "ifconfig", "-z")
    assert (status, out) == (1, "")
    assert err.startswith("ifconfig: illegal option -- z\nusage: ifconfig ")


def test_ifconfig_create_without_unit_prints_the_name(fresh: Path) -> None:
    assert run(fresh, "ifconfig", "wlan", "create", "wlandev", "iwn0") == (0, "wlan1\n", "")
    assert run(fresh, "ifconfig", "wlan1", "destroy") == (0, "", "")
    assert run(fresh, "ifconfig", "wlan1") == (1, "", "ifconfig: interface wlan1 does not exist\n")


def test_service_texts_follow_rc_subr(fresh: Path) -> None:
    pid = read_only(fresh).dhclients["lagg0"].pid
    assert run(fresh, "service", "dhclient", "status", "lagg0") == (
        0, f"dhclient is running as pid {pid}.\n", "",
    )  # fmt: skip
    assert run(fresh, "service", "dhclient", "status", "em0") == (
        1, "dhclient is not running.\n", "",
    )  # fmt: skip
    assert run(fresh, "service", "dhclient", "quietstart", "lagg0") == (1, "", "")
    assert run(fresh, "service", "dhclient", "start", "lagg0") == (
        1, "", f"dhclient already running?  (pid={pid}).\n",
    )  # fmt: skip
    assert run(fresh, "service", "dhclient", "start", "em0") == (
        1, "'em0' is not a DHCP-enabled interface\n", "",
    )  # fmt: skip
    assert run(fresh, "service", "dhclient", "quietstart", "em0") == (1, "", "")
    assert run(fresh, "service", "dhclient", "stop", "wlan0") == (
        1, "", "dhclient not running? (check /var/run/dhclient/dhclient.wlan0.pid).\n",
    )  # fmt: skip
    status, out, _ = run(fresh, "service", "dhclient", "restart", "lagg0")
    assert (status, out) == (0, "Stopping dhclient.\nStarting dhclient.\n")
    assert read_only(fresh).dhclients["lagg0"].pid != pid
    assert run(fresh, "service", "nosuch", "start") == (
        1,
        "nosuch does not exist in /etc/rc.d or the local startup\n"
        "directories (/usr/local/etc/rc.d), or is not executable\n",
        "",
    )
    assert run(fresh, "service")[0] == 1


def test_restart_is_stop_then_start(fresh: Path) -> None:
    # rc.subr: "( run_rc_command stop )" then start; the status is start's
    assert run(fresh, "service", "dhclient", "restart", "em0") == (
        1,
        "'em0' is not a DHCP-enabled interface\n",
        "dhclient not running? (check /var/run/dhclient/dhclient.em0.pid).\n",
    )
    assert run(fresh, "service", "dhclient", "forcerestart", "em0")[0] == 0
    assert run(fresh, "service", "dhclient", "faststop", "wlan0") == (0, "", "")
    status, out, _ = run(fresh, "service", "wpa_supplicant", "restart", "wlan0")
    assert (status, out) == (0, "Stopping wpa_supplicant.\nStarting wpa_supplicant.\n")
    assert run(fresh, "service", "wpa_supplicant", "frobnicate", "wlan0")[2].startswith(
        "/etc/rc.d/wpa_supplicant: unknown directive 'frobnicate'.\n"
    )


def test_quietstart_still_announces_itself_with_rc_startmsgs(fresh: Path) -> None:
    # rc.subr startmsg/check_startmsgs: quiet only hides it when rc_startmsgs=NO
    run(fresh, "service", "dhclient", "stop", "lagg0")
    status, out, err = run(fresh, "service", "dhclient", "quietstart", "lagg0")
    assert (status, out) == (0, "Starting dhclient.\n")
    assert err.endswith("bound to 192.168.1.101 -- renewal in 43200 seconds.\n")


def test_netif_restart_recreates_wlan0_outside_the_lagg(fresh: Path) -> None:
    status, out, err = run(fresh, "service", "netif", "restart", "wlan0")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[:3] == [
        "Stopping wpa_supplicant.",
        "Stopping Network: wlan0.",
        "wlan0: flags=8802<BROADCAST,SIMPLEX,MULTICAST> metric 0 mtu 1500",
    ]
    assert lines.index("Destroyed wlan(4) interfaces: wlan0.") < lines.index(
        "Created wlan(4) interfaces: wlan0."
    )
    assert "Starting Network: wlan0." in lines
    assert read_only(fresh).interfaces["lagg0"].ports == ["em0"]
    assert run(fresh, "service", "netif", "stop", "wlan9")[2] == (
        "/etc/rc.d/netif: WARNING: wlan9 does not exist.  Skipped.\n"
    )


def test_old_ifconfig_stops_at_the_first_laggport_error(tmp_path: Path) -> None:
    assert main(["init", "laptop", "--release", "11.0"], tmp_path) == 0
    # 2007..2012-era iflagg.c: err(1, "SIOCSLAGGPORT"), even for an existing port
    assert run(tmp_path, "ifconfig", "lagg0", "laggport", "em0", "laggport", "nope0") == (
        1, "", "ifconfig: SIOCSLAGGPORT: File exists\n",
    )  # fmt: skip


def test_dhclient_program(fresh: Path) -> None:
    pid = read_only(fresh).dhclients["lagg0"].pid
    assert run(fresh, "dhclient", "lagg0") == (1, "", f"dhclient already running, pid: {pid}.\n")
    assert run(fresh, "dhclient") == (1, "", userland.DHCLIENT_USAGE)
    assert run(fresh, "dhclient", "averyveryverylongname0") == (1, "", "Interface name too long\n")
    main(["unplug", "em0"], fresh)
    assert run(fresh, "dhclient", "em0") == (1, "", "em0: no link ..." + "." * 11 + " giving up\n")
    assert read_only(fresh).now == 11  # the sim's clock took the ten seconds, nobody slept


def test_dhclient_exits_when_its_interface_goes_down(fresh: Path) -> None:
    run(fresh, "ifconfig", "lagg0", "down")
    state = read_only(fresh)
    assert "lagg0" not in state.dhclients
    assert any(line.endswith("Interface lagg0 is down, dhclient exiting") for line in state.log)
    assert run(fresh, "service", "dhclient", "status", "lagg0")[0] == 1


def test_wpa_cli_and_sysctl(fresh: Path) -> None:
    status, out, _ = run(fresh, "wpa_cli", "-i", "wlan0", "status")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "bssid=32:20:9f:2e:f6:65"
    assert "wpa_state=COMPLETED" in lines
    assert lines[-1].startswith("address=")
    assert run(fresh, "wpa_cli", "-i", "wlan0", "ping") == (0, "PONG\n", "")
    assert run(fresh, "sysctl", "-n", "net.wlan.devices") == (0, "iwn0\n", "")
    assert run(fresh, "sysctl", "net.wlan.0.%parent") == (0, "net.wlan.0.%parent: iwn0\n", "")
    assert run(fresh, "sysctl", "kern.nope") == (1, "", "sysctl: unknown oid 'kern.nope'\n")
    main(["wpa", "hang", "wlan0"], fresh)
    out = run(fresh, "wpa_cli", "-i", "wlan0", "status")[1]
    assert out.splitlines()[0] == "wpa_state=SCANNING"


def test_only_state_changing_calls_are_counted(fresh: Path) -> None:
    # at boot devd's stock rules ran pccard_ether and dhclient quietstart: writes
    booted = read_only(fresh).write_calls
    assert ("service", ["dhclient", "quietstart", "em0"]) in [(c.prog, c.argv) for c in booted]
    run(fresh, "ifconfig", "-a")
    run(fresh, "ifconfig", "lagg0")
    run(fresh, "service", "dhclient", "status", "lagg0")
    run(fresh, "wpa_cli", "-i", "wlan0", "status")
    run(fresh, "sysctl", "-n", "net.wlan.devices")
    assert read_only(fresh).write_calls == booted
    run(fresh, "ifconfig", "lagg0", "laggport", "em0")
    run(fresh, "service", "dhclient", "restart", "lagg0")
    calls = [(c.prog, c.argv) for c in read_only(fresh).write_calls[len(booted) :]]
    assert calls == [
        ("ifconfig", ["lagg0", "laggport", "em0"]),
        ("service", ["dhclient", "restart", "lagg0"]),
    ]


def test_stopping_wpa_supplicant_leaves_wlan0_down(fresh: Path) -> None:
    # driver_bsd.c deinit marks the interface down (bsd_ctrl_iface(drv, 0));
    # the old model left wlan0 up
    assert run(fresh, "service", "wpa_supplicant", "stop", "wlan0")[0] == 0
    state = read_only(fresh)
    assert not state.interfaces["wlan0"].up
    assert not state.interfaces["wlan0"].link
    header = run(fresh, "ifconfig", "wlan0")[1].splitlines()[0]
    assert "<UP," not in header
    # a crash runs no deinit: the interface stays up
    assert run(fresh, "service", "wpa_supplicant", "start", "wlan0")[0] == 0
    assert main(["wpa", "kill", "wlan0"], fresh) == 0
    assert read_only(fresh).interfaces["wlan0"].up


def test_wpa_cli_answers_only_with_ctrl_interface(tmp_path: Path) -> None:
    assert main(["init", "laptop", "--no-ctrl-interface"], tmp_path) == 0
    status, out, _ = run(tmp_path, "wpa_cli", "-i", "wlan0", "status")
    assert status == 255
    assert out.startswith("Failed to connect to non-global ctrl_ifname: wlan0")
    # the supplicant runs and is associated all the same
    assert read_only(tmp_path).supplicants["wlan0"].state == "COMPLETED"
    assert "\tstatus: associated\n" in run(tmp_path, "ifconfig", "wlan0")[1]


def test_rc_conf_names_the_wpa_supplicant_program_and_flags(tmp_path: Path) -> None:
    # rc.d/wpa_supplicant: command=${wpa_supplicant_program}, rc_flags from
    # wpa_supplicant_flags (libexec/rc/rc.d/wpa_supplicant, rc.subr)
    argv = ["init", "laptop", "--rc", "wpa_supplicant_program=/usr/local/sbin/wpa_supplicant",
            "--rc", "wpa_supplicant_flags=-s -dd"]  # fmt: skip
    assert main(argv, tmp_path) == 0
    state = read_only(tmp_path)
    proc = state.processes[str(state.supplicants["wlan0"].pid)]
    assert proc.argv[:3] == ["/usr/local/sbin/wpa_supplicant", "-s", "-dd"]
    assert proc.argv[3:7] == ["-B", "-i", "wlan0", "-c"]
    bad = tmp_path / "bad"
    assert main(["init", "laptop", "--rc", "wpa_supplicant_program=/nowhere/wpa"], bad) == 1
    assert "wlan0" not in read_only(bad).supplicants


def test_the_simulated_sysctl_names_its_hypervisor(host: Path) -> None:
    """kern.vm_guest is "none" on the simulated laptop, as on bare metal."""
    assert run(host, "sysctl", "-n", "kern.vm_guest") == (0, "none\n", "")
    assert run(host, "sysctl", "kern.vm_guest") == (0, "kern.vm_guest: none\n", "")
