"""The failback's outage window, measured on the simulated laptop for both orders.

The laptop is put where ``failback_hold`` leaves it (em0 back on its cable but
out of lagg0, wlan0 the only port and primary); then the order laggroam used
to run and the one it runs now are executed through the stand-in ifconfig,
and the simulator counts lagg0's link losses, the simulated milliseconds
without link (kernel.clock_ms: PROGRAM_MS per program run, a modelled cost)
and wlan0's re-associations.  ``LAGGROAM_STATS=1`` prints the figures.
"""

import contextlib
import io
import subprocess
from pathlib import Path

import pytest
from laggroam_sim import cli as sim_cli
from laggroam_sim.laptop import IWN0_MAC
from laggroam_sim.state import read_only
from laptophelp import FIGURES

BEFORE = (("-laggport", "wlan0"), ("laggport", "em0"), ("laggport", "wlan0"))
AFTER = (("laggport", "em0"), ("-laggport", "wlan0"), ("laggport", "wlan0"))


def held(tmp_path: Path) -> Path:
    """The Handbook laptop (rc.conf fix applied) with em0 held out of lagg0."""
    with contextlib.redirect_stdout(io.StringIO()):
        rc = f"ifconfig_em0=ether {IWN0_MAC} up"
        assert sim_cli.main(["init", "laptop", "--rc", rc], tmp_path) == 0
    ifconfig(tmp_path, "-laggport", "em0")
    return tmp_path


def ifconfig(sim_dir: Path, *argv: str) -> None:
    subprocess.run(
        [str(sim_dir / "bin" / "ifconfig"), "lagg0", *argv], check=True, timeout=60,
        capture_output=True,
    )  # fmt: skip


def window(sim_dir: Path, order: tuple[tuple[str, str], ...]) -> tuple[int, int, int, str]:
    """(lagg0 link losses, ms without link, wlan0 re-associations, lagg0's address) of ``order``."""
    before = read_only(sim_dir)
    for argv in order:
        ifconfig(sim_dir, *argv)
    after = read_only(sim_dir)
    lagg = after.interfaces["lagg0"]
    assert lagg.primary == "em0" and lagg.ports == ["em0", "wlan0"]
    assert lagg.mac == IWN0_MAC  # the DHCP identity never changed
    return (
        after.link_losses.get("lagg0", 0) - before.link_losses.get("lagg0", 0),
        after.link_down_ms.get("lagg0", 0) - before.link_down_ms.get("lagg0", 0),
        after.reassociations.get("wlan0", 0) - before.reassociations.get("wlan0", 0),
        lagg.inet[0].addr,
    )


@pytest.mark.parametrize("order", [BEFORE, AFTER], ids=["before", "after"])
def test_failback_window(tmp_path: Path, order: tuple[tuple[str, str], ...]) -> None:
    sim_dir = held(tmp_path)
    address = read_only(sim_dir).interfaces["lagg0"].inet[0].addr
    losses, down_ms, reassociations, now = window(sim_dir, order)
    name = (
        "before (every port leaves, then rejoins)" if order is BEFORE else "after (em0 joins first)"
    )
    FIGURES.append(
        f"failback {name}: lagg0 lost its link {losses} time(s), {down_ms} simulated ms"
        f" without link, {reassociations} wlan0 re-association(s)"
    )
    assert now == address
    if order is AFTER:
        # lagg0 keeps em0 or wlan0 with link throughout: no window at all
        assert (losses, down_ms) == (0, 0)
    else:
        assert losses == 1 and down_ms > 0
    assert reassociations >= 1  # wlan0 leaving and rejoining re-initialises it either way
