"""One address all day: the Handbook laptop's day on every modelled radio, and without the fix.

With rc.conf's ``ifconfig_em0="ether <wlan0's MAC>"`` (what ``check
--rc-conf`` prints) lagg0 wears the policy's MAC from boot, so boot, the
first reconcile, unplug, replug, suspend/resume and an access point lost and
found must never change lagg0's address on the same network, and laggroam
re-associates wlan0 only when a real change needs it (a wlan re-created by
its radio rejoins lagg0, and joining sets its MAC: sys/net/if_lagg.c
lagg_port_create).  Without the fix, ``check --rc-conf`` names the line,
and the one change the daemon makes is explained in its log.
"""

import contextlib
import io

import pytest
from laggroam_sim.state import read_only
from laptophelp import Laptop, on, radio_policy

from laggroam.admin.cli import main
from laggroam.core.host import Host

HOME = "192.168.1."


policy = radio_policy


def wlan_up(ports: tuple[str, ...] = ("em0", "wlan0"), active: str = "em0"):  # type: ignore[no-untyped-def]
    def check(host: Host) -> bool:
        w = host.get("wlan0")
        return w is not None and w.has_link and on(active, ports)(host)

    return check


# driver, extra init words, radio device, whether resume re-creates wlan0,
# whether the radio resumes dead (then the day ends at the resume)
RADIOS = [
    ("iwn", (), "iwn0", False, False),
    ("iwm", (), "iwm0", False, False),
    ("iwlwifi", (), "iwlwifi0", False, True),
    ("iwlwifi-pm", (), "iwlwifi0", False, False),
    ("rtwn", (), "rtwn0", True, False),
    ("iwn", ("--detach-on-suspend",), "iwn0", True, False),
]


@pytest.mark.parametrize(
    "radio",
    RADIOS,
    ids=["iwn", "iwm", "iwlwifi", "iwlwifi-pm", "rtwn-usb", "iwn-rc.suspend-detach"],
)
def test_a_day_on_one_address(
    laptop: Laptop, radio: tuple[str, tuple[str, ...], str, bool, bool]
) -> None:
    driver, extra, device, recreated, dead = radio
    laptop.start(policy(device), init=("--radio", driver, *extra))
    laptop.settle(wlan_up())
    address = laptop.address()
    assert address is not None and address.startswith(HOME)
    laptop.world("unplug", "em0")
    laptop.settle(wlan_up(active="wlan0"))
    laptop.world("ap", "home", "off")
    laptop.settle(on(None))
    laptop.world("ap", "home", "on")
    laptop.settle(wlan_up(active="wlan0"))
    assert laptop.address() == address
    laptop.world("plug", "em0")
    laptop.settle(wlan_up())
    assert laptop.address() == address
    assert laptop.figures.reassociations == 0  # nothing laggroam did touched wlan0
    laptop.sleep()
    if dead:
        # the radio resumes silent (sys/modules/iwlwifi/Makefile); the user's
        # fix, a driver reload, re-creates wlan0
        laptop.settle(on("em0"))
        laptop.world("detach", device)
        laptop.world("attach", device)
    laptop.settle(wlan_up())
    assert laptop.address() == address
    # a re-created wlan0 rejoins lagg0 and joining sets its MAC: one required re-association
    assert laptop.figures.reassociations == (1 if recreated or dead else 0)
    assert read_only(laptop.dir).readdressed.get("lagg0", 0) == 0


def test_without_the_rc_conf_fix_the_one_change_is_named_and_explained(laptop: Laptop) -> None:
    laptop.sim("init", "laptop")  # the Handbook's rc.conf without ifconfig_em0="ether ..."
    laptop.readdress_expected = 1
    laptop.policy_path.parent.mkdir(parents=True, exist_ok=True)
    laptop.policy_path.write_text(policy("iwn0"))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["--sim", str(laptop.dir), "check", "--rc-conf"])
    (warning,) = [w for w in err.getvalue().splitlines() if "boots wearing" in w]
    assert code == 0
    assert warning.split(": ", 1)[0].endswith("/etc/rc.conf:1")
    assert warning.endswith('/etc/rc.conf ifconfig_em0="ether 20:0d:b0:c4:ab:59 up"')
    before = laptop.address()
    laptop.install(policy("iwn0"))
    laptop.settle(wlan_up())
    # lagg0 now wears wlan0's MAC; the server hears of it at the next request,
    # the renewal of the first failover, and leases the new client another address
    laptop.world("unplug", "em0")
    laptop.settle(wlan_up(active="wlan0"))
    after = laptop.address()
    assert before is not None and after is not None and after != before
    laptop.world("plug", "em0")
    laptop.settle(wlan_up())
    assert laptop.address() == after  # and never again
    assert read_only(laptop.dir).readdressed.get("lagg0", 0) == 1
    log = (laptop.dir / "daemon.log").read_text(errors="replace")
    (line,) = [x for x in log.splitlines() if "ifconfig lagg0 ether" in x and "ran" in x]
    assert "the address may change" in line
    assert 'add "ether 20:0d:b0:c4:ab:59" to ifconfig_em0 in rc.conf' in line
