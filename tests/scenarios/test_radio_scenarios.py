"""Resume on every modelled radio, and the seed's own nfe0/ndis0 laptop, end to end.

What suspend/resume does to wlan0 is the radio driver's (laggroam_sim.radios
cites each): a native PCI driver keeps wlan0 in lagg0 and only re-associates,
a USB radio or an rc.suspend detach re-creates it, and laggroam puts it back;
a radio that resumes dead gets a bounded number of wpa_supplicant restarts
and then is left alone.  After each scenario the fixture leaves the daemon
running for ten simulated minutes and requires that it does nothing more.
"""

import pytest
from laggroam_sim.state import read_only
from laptophelp import Laptop, on, radio_policy

from laggroam.core.host import Host
from laggroam.core.plan import MAX_WPA_RESTARTS

HOME = "192.168.1."


policy = radio_policy


def associated(name: str = "wlan0", ports: tuple[str, ...] = ("em0", "wlan0")):  # type: ignore[no-untyped-def]
    def check(host: Host) -> bool:
        iface = host.get(name)
        return iface is not None and iface.has_link and on(name, ports)(host)

    return check


# driver, extra init words, the radio device, whether wlan0 is re-created
RADIOS = [
    ("iwn", (), "iwn0", False),
    ("iwm", (), "iwm0", False),
    ("iwlwifi-pm", (), "iwlwifi0", False),
    ("rtwn", (), "rtwn0", True),
    ("iwn", ("--detach-on-suspend",), "iwn0", True),
]


@pytest.mark.parametrize(
    ("driver", "extra", "device", "recreated"),
    RADIOS,
    ids=["iwn", "iwm", "iwlwifi-pm", "rtwn-usb", "iwn-rc.suspend-detach"],
)
def test_resume_keeps_or_restores_wlan0(
    laptop: Laptop, driver: str, extra: tuple[str, ...], device: str, recreated: bool
) -> None:
    laptop.start(policy(device), init=("--radio", driver, *extra))
    laptop.settle(on("em0"))
    laptop.world("unplug", "em0")
    laptop.settle(on("wlan0"))
    address = laptop.address()
    index = read_only(laptop.dir).interfaces["wlan0"].index
    wpa_pid = read_only(laptop.dir).supplicants["wlan0"].pid
    laptop.sleep()
    laptop.settle(associated())
    state = read_only(laptop.dir)
    assert (state.interfaces["wlan0"].index != index) == recreated
    assert laptop.address() == address
    # no restart: wpa_supplicant associated again by itself (it takes a
    # re-created wlan0 over, driver_bsd.c), well within stuck_after
    assert state.supplicants["wlan0"].pid == wpa_pid
    laptop.world("plug", "em0")
    laptop.settle(on("em0"))


def test_a_radio_that_resumes_dead_gets_bounded_restarts_then_is_left_alone(
    laptop: Laptop,
) -> None:
    # iwlwifi built without CONFIG_PM_SLEEP (sys/modules/iwlwifi/Makefile)
    laptop.start(policy("iwlwifi0"), init=("--radio", "iwlwifi"))
    laptop.world("unplug", "em0")
    laptop.settle(on("wlan0"))
    laptop.sleep()
    laptop.settle(on(None))  # wlan0 stays a port but never associates
    done = laptop.quiet_for_ten_minutes()
    assert 1 <= len(done) <= MAX_WPA_RESTARTS, done
    assert all("wpa_supplicant" in d for d in done), done
    assert read_only(laptop.dir).interfaces["lagg0"].ports == ["em0", "wlan0"]
    # the user's fix, a driver reload, brings it back
    laptop.start_daemon()
    laptop.world("detach", "iwlwifi0")
    laptop.world("attach", "iwlwifi0")
    laptop.settle(associated())


# -- the seed's own laptop: nfe0 + ndis0 on FreeBSD 7 -------------------------

SEED_POLICY = (
    "[daemon]\ndebounce = 100ms\nmax_delay = 1s\nlog = stderr\ninterval = 0\n"
    "[lagg0]\nports = nfe0 ndis0\nproto = failover\ndhcp = yes\nrenew_dhcp = on-failover\n\n"
    "[ndis0]\nwpa = yes\nrestart_wpa = on-attach on-resume on-stuck\nstuck_after = 2s\n"
)
SEED = ("nfe0", "ndis0")


def seed_laptop(laptop: Laptop) -> None:
    laptop.start(SEED_POLICY, init=("--radio", "ndis", "--release", "7"))
    laptop.settle(on("nfe0", SEED))


def test_seed_laptop_unplug_and_replug(laptop: Laptop) -> None:
    seed_laptop(laptop)
    address = laptop.address()
    assert address is not None and address.startswith(HOME)
    laptop.world("unplug", "nfe0")
    laptop.settle(associated("ndis0", SEED))
    assert laptop.address() == address
    laptop.world("plug", "nfe0")
    laptop.settle(on("nfe0", SEED))
    assert laptop.address() == address


def test_seed_laptop_ap_loss(laptop: Laptop) -> None:
    seed_laptop(laptop)
    laptop.world("unplug", "nfe0")
    laptop.settle(associated("ndis0", SEED))
    address = laptop.address()
    laptop.world("ap", "home", "off")
    laptop.settle(lambda h: not h.get("ndis0").has_link)  # type: ignore[union-attr]
    laptop.world("ap", "home", "on")
    laptop.settle(associated("ndis0", SEED))
    assert laptop.address() == address


def test_seed_laptop_wpa_supplicant_stuck(laptop: Laptop) -> None:
    seed_laptop(laptop)
    laptop.world("unplug", "nfe0")
    laptop.settle(associated("ndis0", SEED))
    pid = read_only(laptop.dir).supplicants["ndis0"].pid
    laptop.world("wpa", "hang", "ndis0")
    laptop.settle(associated("ndis0", SEED))
    assert read_only(laptop.dir).supplicants["ndis0"].pid != pid  # restarted on evidence


def test_seed_laptop_resume(laptop: Laptop) -> None:
    seed_laptop(laptop)
    laptop.world("unplug", "nfe0")
    laptop.settle(associated("ndis0", SEED))
    address = laptop.address()
    pid = read_only(laptop.dir).supplicants["ndis0"].pid
    laptop.sleep()  # ndis_resume re-inits ndis0 in place (if_ndis.c)
    laptop.settle(associated("ndis0", SEED))
    assert read_only(laptop.dir).supplicants["ndis0"].pid == pid
    assert laptop.address() == address
