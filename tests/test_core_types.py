"""Facts that once travelled as strings are typed fields: a partial listing, a refused reconcile."""

from dataclasses import replace
from pathlib import Path

from hosts import lagg0, laptop, port, with_interfaces
from laggroam_sim.site import site_of
from test_plan import NOW, seed

from laggroam.core.host import Host
from laggroam.core.memory import Memory
from laggroam.core.plan import plan
from laggroam.edge.reconcile import Outcome, locked_reconcile
from laggroam.edge.store import Store
from laggroam.edge.system import System


def _only_the_lagg() -> Host:
    """What ``ifconfig lagg0`` shows: the lagg with em0 and wlan0 as ports, neither listed."""
    shown = with_interfaces(laptop(), lagg0(port("em0", "MASTER", "ACTIVE"), port("wlan0")))
    return replace(shown, radios=None)


def test_a_partial_listing_does_not_make_unshown_interfaces_missing() -> None:
    host = _only_the_lagg()
    seen = plan(seed(), replace(host, partial=True), Memory(), [], NOW)
    assert not [n for n in seen.notes if "wlan0 is missing" in n], seen.notes
    assert seen.memory.wlan("wlan0").present is not False
    # The same listing taken as complete: wlan0 is missing, its radio unknown.
    whole = plan(seed(), host, Memory(), [], NOW)
    assert [n for n in whole.notes if "wlan0 is missing" in n], whole.notes
    assert whole.memory.wlan("wlan0").present is False


def test_the_partial_listing_is_not_an_unknown_entry() -> None:
    partial = replace(laptop(), partial=True)
    assert partial.unknown == laptop().unknown and partial.partial


def test_a_refused_reconcile_says_so_by_its_field(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (tmp_path / "victim").write_text("")
    (state / "reconcile.lock").symlink_to(tmp_path / "victim")
    system = System(site_of(tmp_path / "sim").programs)
    outcome = locked_reconcile(system, seed(), Store(state), [])
    assert isinstance(outcome, Outcome)
    assert outcome.refused and not outcome.observed
    assert (outcome.error or "").startswith("reconcile refused: ")
