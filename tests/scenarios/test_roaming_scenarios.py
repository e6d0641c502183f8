"""The ways roaming breaks in practice, each end to end on the simulated laptop.

world -> kernel -> devd -> laggroam's rule -> hook -> daemon (or one-shot) ->
host; each asserts the converged state, that the address survived where the
network did not change, and that devd's stock behaviour still happened.
"""

import os
import signal
import time

from laggroam_sim import devd as sim_devd
from laggroam_sim.state import read_only
from laptophelp import Laptop, on

from laggroam.core.host import Host

HOME, CAFE = "192.168.1.", "10.20.30."
BOTH = ("em0", "wlan0")


def policy(**daemon: str) -> str:
    """The sample's seed laptop, with the demo's short timers and any [daemon] overrides."""
    settings = {"debounce": "100ms", "max_delay": "1s", "log": "stderr", "interval": "0"}
    settings.update(daemon)
    head = "[daemon]\n" + "".join(f"{k} = {v}\n" for k, v in settings.items())
    return head + (
        "[lagg0]\nports = em0 wlan0\nproto = failover\nether = wlan0\ndhcp = yes\n"
        "renew_dhcp = on-failover\n\n[wlan0]\nparent = iwn0\nwpa = yes\n"
        "restart_wpa = on-attach on-resume on-stuck\nstuck_after = 2s\n"
    )


def associated(host: Host) -> bool:
    sup = host.wpa.get("wlan0")
    return sup is not None and sup.state == "COMPLETED" and on("wlan0")(host)


def chained(laptop: Laptop, fragment: str) -> bool:
    """The daemon ran a stock devd rule whose command contains ``fragment``."""
    log = (laptop.dir / "daemon.log").read_text(errors="replace")
    return any("chained" in line and fragment in line for line in log.splitlines())


def test_cable_unplug_and_replug_keep_the_address(laptop: Laptop) -> None:
    laptop.start(policy())
    laptop.settle(on("em0"))
    address = laptop.address()
    assert address is not None and address.startswith(HOME)
    laptop.world("unplug", "em0")
    laptop.settle(on("wlan0"))
    assert laptop.address() == address
    quietstarts = laptop.stock_calls("service", "dhclient", "quietstart", "em0")
    laptop.world("plug", "em0")
    laptop.settle(on("em0"))
    assert laptop.address() == address
    # LINK_UP em0 hits laggroam's rule first; the stock rule it shadows still ran.
    laptop.wait(
        "the shadowed stock rule",
        lambda: laptop.stock_calls("service", "dhclient", "quietstart", "em0") > quietstarts,
    )


def test_suspend_resume_keeps_wlan0_on_a_native_radio(laptop: Laptop) -> None:
    laptop.start(policy())
    laptop.world("unplug", "em0")
    laptop.settle(on("wlan0"))
    address = laptop.address()
    index = read_only(laptop.dir).interfaces["wlan0"].index
    laptop.sleep()
    laptop.settle(associated)
    assert laptop.address() == address
    # iwn resumes its vap in place (sys/dev/iwn/if_iwn.c): the same wlan0
    assert read_only(laptop.dir).interfaces["wlan0"].index == index
    laptop.wait("rc.resume chained", lambda: chained(laptop, "rc.resume"))


def test_radio_driver_reload(laptop: Laptop) -> None:
    laptop.start(policy())
    laptop.world("detach", "iwn0")
    laptop.settle(on("em0", ("em0",)))
    laptop.world("attach", "iwn0")
    laptop.settle(lambda h: on("em0")(h) and h.wpa["wlan0"].state == "COMPLETED")
    # The driver's attach is devd's stock rule alone (laggroam has no attach rule):
    # pccard_ether startchildren created wlan0.
    rules = [d.rule or "" for d in sim_devd.read_log(laptop.dir) if d.line.startswith("+iwn0")]
    assert rules and all(r.endswith(".conf:" + r.rsplit(":", 1)[-1]) for r in rules)
    assert all("laggroam.conf" not in r for r in rules)


def test_late_radio_at_boot(laptop: Laptop) -> None:
    laptop.start(policy())
    laptop.world("late-attach", "iwn0")
    laptop.settle(lambda h: on("em0")(h) and h.wpa["wlan0"].state == "COMPLETED")


def test_ap_loss_supplicant_exits(laptop: Laptop) -> None:
    laptop.start(policy())
    laptop.world("unplug", "em0")
    laptop.settle(on("wlan0"))
    address = laptop.address()
    laptop.world("ap", "home", "off")
    laptop.world("wpa", "kill", "wlan0")
    laptop.world("ap", "home", "on")
    laptop.settle(associated)
    assert laptop.address() == address


def test_ap_loss_supplicant_alive_but_stuck(laptop: Laptop) -> None:
    laptop.start(policy())
    laptop.world("unplug", "em0")
    laptop.settle(on("wlan0"))
    address = laptop.address()
    pid = read_only(laptop.dir).supplicants["wlan0"].pid
    laptop.world("ap", "home", "off")
    laptop.world("wpa", "hang", "wlan0")
    laptop.world("ap", "home", "on")
    laptop.settle(associated)
    assert read_only(laptop.dir).supplicants["wlan0"].pid != pid  # restarted, not revived
    assert laptop.address() == address


def test_roaming_to_another_subnet_and_back(laptop: Laptop) -> None:
    laptop.start(policy())
    laptop.world("unplug", "em0")
    laptop.settle(on("wlan0"))
    home = laptop.address()
    laptop.world("roam", "cafe")
    laptop.settle(lambda h: associated(h) and (laptop.address() or "").startswith(CAFE))
    laptop.world("roam", "home")
    laptop.settle(lambda h: associated(h) and laptop.address() == home)


def test_flapping_cable_few_reconciles_right_end_state(laptop: Laptop) -> None:
    laptop.start(policy())
    laptop.settle(on("em0"))
    before = len(laptop.records())
    flaps = 25
    started = time.monotonic()
    for _ in range(flaps):
        laptop.world("unplug", "em0")
        laptop.world("plug", "em0")
    seconds = time.monotonic() - started
    laptop.settle(on("em0"))
    reconciles = len(laptop.records()) - before
    # Coalesced: at most one reconcile per max_delay (1 s) of flapping, plus the
    # last one, however slowly a loaded machine runs the flaps.
    assert 1 <= reconciles <= 2 + int(seconds), (reconciles, seconds)


def test_usb_dongle_outside_the_policy_is_left_alone(laptop: Laptop) -> None:
    laptop.start(policy())
    laptop.settle(on("em0"))
    laptop.world("usb-ethernet", "ue0")
    laptop.settle(on("em0"))
    assert read_only(laptop.dir).interfaces["ue0"].lagg is None
    for record in laptop.records():
        for action in record.get("actions", []):  # type: ignore[attr-defined]
            assert "ue0" not in action["command"]
    # IFNET ATTACH ue0 is laggroam's rule first; the stock pccard_ether start still ran.
    laptop.wait("pccard_ether ue0 start chained", lambda: chained(laptop, "pccard_ether"))


def test_port_missing_from_the_host(laptop: Laptop) -> None:
    text = policy().replace("ports = em0 wlan0", "ports = em0 wlan0 em1")
    laptop.start(text)
    laptop.settle(on("em0"))
    laptop.world("unplug", "em0")
    laptop.settle(on("wlan0"))
    assert all(not r["actions"] or r["converged"] for r in laptop.records())


def test_daemon_down_hooks_fall_back_to_one_shot(laptop: Laptop) -> None:
    laptop.start(policy(), daemon=False)
    laptop.world("unplug", "em0")
    laptop.settle()  # the one-shot saw the failover before the lid closed
    laptop.sleep()
    laptop.settle(associated)
    events = [e for r in laptop.records() for e in r["events"]]  # type: ignore[attr-defined]
    assert "LINK_DOWN em0" in events


def test_daemon_killed_mid_reconcile_converges_after_restart(laptop: Laptop) -> None:
    laptop.start(policy())
    laptop.settle(on("em0"))
    assert laptop.daemon is not None
    laptop.world("unplug", "em0")
    laptop.world("suspend")
    laptop.world("resume")
    laptop.wait("a reconcile under way", lambda: laptop.daemon_status().get("busy"))
    os.kill(laptop.daemon.pid, signal.SIGKILL)
    laptop.daemon.wait()
    laptop.start_daemon()  # the stale socket and pid file are taken over
    laptop.settle(associated)


def test_lost_events_are_repaired_by_the_periodic_reconcile(laptop: Laptop) -> None:
    laptop.start(policy(interval="1s"))
    laptop.settle(on("em0"))
    # events now reach nobody but the stock rules: laggroam's devd file set aside
    # (devd reads only *.conf) and devd restarted, as "service devd restart" does
    snippet = laptop.root / "usr/local/etc/devd/laggroam.conf"
    snippet.rename(snippet.with_suffix(".conf.off"))
    laptop.world("devd", "start")
    laptop.world("detach", "iwn0")
    laptop.world("attach", "iwn0")
    laptop.settle(lambda h: on("em0")(h) and h.wpa["wlan0"].state == "COMPLETED")
    assert any(not r["events"] and r["actions"] for r in laptop.records())


def test_policy_edited_during_a_flap(laptop: Laptop) -> None:
    laptop.start(policy())
    laptop.settle(on("em0"))
    generation = laptop.daemon_status().get("generation", 0)
    for n in range(10):
        laptop.world("unplug", "em0")
        if n == 5:
            text = laptop.policy_path.read_text().replace("ether = wlan0", "ether = keep")
            tmp = laptop.policy_path.with_name(".laggroam.ini.tmp")
            tmp.write_text(text)
            os.replace(tmp, laptop.policy_path)
        laptop.world("plug", "em0")
    laptop.wait("the new policy", lambda: laptop.daemon_status().get("generation", 0) > generation)
    laptop.settle(on("em0"))
    assert laptop.policy.laggs[0].ether == "keep"
