"""The whole chain: the simulated devd runs laggroam's real hooks, which feed the daemon."""

from pathlib import Path

from daemonhelp import POLICY, running, sim
from laggroam_sim import devd

# devd waits for every action (freebsd-src sbin/devd/devd.cc my_system): the
# hook must hand over and return, a Python start-up and a socket write
# (bench/held.py measures it; this bound only proves it did not wait for more).
HOOK_HOLDS_DEVD_AT_MOST = 10.0


def test_devd_delivers_through_the_hooks_and_the_host_converges(base: Path) -> None:
    sim_dir = base / "sim"
    installed = devd.install_laggroam(sim_dir, POLICY)
    policy = next(Path(p) for p in installed if p.endswith("/laggroam.ini"))
    with running(base, policy_path=policy) as daemon:
        daemon.wait_ready()
        n = len(daemon.journal())
        seen = len(devd.read_log(sim_dir))

        sim(sim_dir, "unplug", "em0")  # devd delivers before the verb returns

        deliveries = [d for d in devd.read_log(sim_dir)[seen:] if "subsystem=em0" in d.line]
        assert [d.line for d in deliveries] == ["!system=IFNET subsystem=em0 type=LINK_DOWN"]
        (one,) = deliveries
        assert one.rule is not None and "/usr/local/etc/devd/laggroam.conf:" in one.rule
        assert one.statuses == (0,)
        assert one.held < HOOK_HOLDS_DEVD_AT_MOST
        records = daemon.wait_journal(
            "the hook's reconcile",
            lambda r: any("LINK_DOWN em0" in x["events"] for x in r[n:]),
        )
        assert any("LINK_DOWN em0" in x["events"] and x["converged"] for x in records[n:])
        assert daemon.active_when_converged() == "wlan0"
