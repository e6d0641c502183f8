"""``laggroam-sim demo``: the roaming story, told on a simulated FreeBSD laptop.

The laptop is built as the handbook's rc.conf would build it, laggroam is
installed as a user installs it (devd snippet, hooks, the sample policy, the
daemon), and every step is a world change followed by what devd delivered,
what laggroam decided and why, and where the host ended up.  The demo exits
0 only when every step reached the state it expects.
"""

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from laggroam.config import policy as policy_mod
from laggroam.core.host import Host
from laggroam.exitcodes import EX_OK
from laggroam_sim import ipv6demo
from laggroam_sim.expect import all_of, expect_active, new_wlan0, same_wlan0, traffic_on
from laggroam_sim.state import SimError, read_only
from laggroam_sim.story import (
    DEMO_TIMERS,
    HANDBOOK_MAC,
    DemoFailed,
    Story,
    Style,
    address_of,
    run_laggroam,
    sample_policy,
    wait_for,
)

# The hold step 9 saves.  It counts from laggroam's first sight of em0's link
# (plan.py _failback_hold), so the reconcile that sees the plug never ends it:
# em0 rejoins on the timer however loaded the machine, in step 11.
DEMO_FAILBACK_HOLD = "1s"

EX_SOFTWARE = 70  # sysexits.h: the story did not come out as it should


OLD_RC_CONF = (
    'ifconfig_nfe0="DHCP"\n'
    'ifconfig_ndis0="WPA DHCP"\n'
    'cloned_interfaces="lagg0"\n'
    'ifconfig_lagg0="laggproto failover laggport ndis0 laggport nfe0 DHCP"\n'
)


def _from_rc_conf(story: Story) -> None:
    story.out("")
    story.out(story.style.title("0. From rc.conf to a policy"))
    story.out("   An older laptop's rc.conf (FreeBSD 7: nfe0 wired, ndis0 wireless), copied to a")
    story.out("   directory of the administrator's; the rest of the story is a current laptop:")
    story.out("   em0 wired, wlan0 on the iwn0 radio.")
    work = story.dir / "admin"
    work.mkdir(exist_ok=True)
    (work / "rc.conf").write_text(OLD_RC_CONF)
    for line in OLD_RC_CONF.splitlines():
        story.out(f"   {line}")
    text = run_laggroam(
        story, "init", "--from-rc-conf", "rc.conf", "-o", "laggroam.ini", cwd=work, on_host=False
    )
    if "DHCP on nfe0" not in text or "wireless ndis0 before the wired nfe0" not in text:
        raise DemoFailed("init --from-rc-conf did not report DHCP on a port and the port order")
    run_laggroam(story, "check", "-c", "laggroam.ini", cwd=work, on_host=False)
    story.out("   (the policy is written with nfe0 first and is valid; on the laptop itself")
    story.out("    laggroam check also compares the interfaces it names with the host's)")


def _plan_and_apply(story: Story) -> None:
    """Before laggroam is installed: a driver reload, repaired by hand with plan and apply."""
    story.out("")
    story.out(story.style.title("A. Without laggroam's hooks: a driver reload, plan and apply"))
    work = story.dir / "admin"
    (work / "policy.ini").write_text(sample_policy())
    story.sim("detach", "iwn0")
    story.sim("attach", "iwn0")
    story.out(
        "   world: detach, attach iwn0 (a driver reload) -- wlan0 is re-created and silently"
        " left out of lagg0"
    )
    text = run_laggroam(story, "-c", "policy.ini", "plan", cwd=work)
    if "laggport wlan0" not in text:
        raise DemoFailed("plan did not propose re-adding wlan0")
    run_laggroam(story, "-c", "policy.ini", "apply", cwd=work)
    text = run_laggroam(story, "-c", "policy.ini", "plan", cwd=work)
    if not text.startswith("nothing to do"):
        raise DemoFailed("the host did not converge after apply")


def _tell(story: Story) -> None:
    home, cafe = "192.168.1.0/24", "10.20.30.0/24"
    host = story.step(1, "Boot with the cable in", [], expect_active("em0", home))
    addr = address_of(host)
    story.step(
        2,
        "Unplug the cable: traffic moves to Wi-Fi, same address",
        [["unplug", "em0"]],
        expect_active("wlan0", home, addr),
    )
    story.out("   what devd does with such an event, and what laggroam chains to:")
    text = run_laggroam(
        story, "devd", "explain", "!system=IFNET subsystem=em0 type=LINK_UP", show=8
    )
    if "service dhclient quietstart" not in text:
        raise DemoFailed("devd explain did not show the stock rule laggroam chains to")
    index = read_only(story.dir).interfaces["wlan0"].index
    story.step(
        3,
        "Suspend and resume: iwn resumes wlan0 in place; it re-associates, still in lagg0",
        [["suspend"], ["resume"]],
        all_of(expect_active("wlan0", home, addr), same_wlan0(story, index)),
    )
    story.step(
        4,
        "The radio's driver is reloaded: wlan0 is re-created and must rejoin lagg0",
        [["detach", "iwn0"], ["attach", "iwn0"]],
        all_of(expect_active("wlan0", home, addr), new_wlan0(story, index)),
    )
    story.step(
        5,
        "The access point goes away and wpa_supplicant gets stuck",
        [["ap", "home", "off"], ["wpa", "hang", "wlan0"], ["ap", "home", "on"]],
        lambda h: None,
    )
    story.out("   (wpa_supplicant is stuck: laggroam restarts it after stuck_after)")
    story.step(
        6,
        "...laggroam restarts wpa_supplicant; Wi-Fi is back, same address",
        [],
        expect_active("wlan0", home, addr),
        settle=True,
    )
    story.step(
        7,
        "Plug the cable back in: traffic returns to em0, same address",
        [["plug", "em0"]],
        expect_active("em0", home, addr),
    )
    story.step(
        8,
        "Roam: unplug and walk to the cafe, another network: new IPv4 and IPv6 addresses,"
        " nothing left of home's IPv6",
        [["unplug", "em0"], ["roam", "cafe"]],
        all_of(expect_active("wlan0", cafe), ipv6demo.expect_prefix(ipv6demo.CAFE6)),
    )
    _edit_policy(story)


def _edit_policy(story: Story) -> None:
    story.out("")
    story.out(story.style.title("9. Edit the policy: a save takes effect, a typo is refused"))
    generation = story.daemon_status().get("generation", 0)
    text = story.policy_path.read_text()
    good = text.replace("failback_hold = 0s", f"failback_hold = {DEMO_FAILBACK_HOLD}")
    _save(story.policy_path, good)
    story.out(
        f"   saved: failback_hold = {DEMO_FAILBACK_HOLD}"
        " (written to a temporary file, renamed over)"
    )
    wait_for(
        "the daemon to load the new policy",
        lambda: story.daemon_status().get("generation", 0) > generation,
    )
    story.out(
        f"   laggroam: policy reloaded (generation {story.daemon_status().get('generation')})"
    )
    _save(story.policy_path, good.replace("renew_dhcp", "renew_dchp"))
    story.out("   saved: a typo, renew_dchp")
    wait_for("the daemon to reject the typo", lambda: bool(story.daemon_status().get("rejected")))
    for line in story.daemon_status()["rejected"]:
        story.out(f"   laggroam: rejected: {line.replace(str(story.root), '')}")
    home = "192.168.1.0/24"
    story.step(
        10,
        "Walk home: Wi-Fi joins the home network again, and a lease of the home network;"
        " with failback_hold the unplugged em0 waits outside lagg0",
        [["roam", "home"]],
        traffic_on("wlan0", home),
    )
    story.step(
        11,
        "The last good policy keeps working: plug the cable in; with failback_hold ="
        f" {DEMO_FAILBACK_HOLD} traffic returns to em0 once its link has lasted"
        f" {DEMO_FAILBACK_HOLD}",
        [["plug", "em0"]],
        expect_active("em0", home),
        settle=True,
    )
    _save(story.policy_path, good)
    wait_for("the fixed policy to be accepted", lambda: not story.daemon_status().get("rejected"))
    story.out("   fixed and saved again: accepted")


def _save(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _summary(story: Story, started: float) -> None:
    records = story.store.read_journal(last=1000)
    actions = sum(len(r.get("actions", [])) for r in records)
    held = story.journal.held
    story.out("")
    story.out(story.style.title("Summary"))
    story.out(f"  devd events delivered: {story.journal.events}")
    story.out(f"  reconciles: {len(records)}, actions: {actions}")
    story.out(f"  addresses: {' -> '.join(story.journal.addresses)}")
    state = read_only(story.dir)
    story.out(
        f"  one address: lagg0 changed its address {state.readdressed.get('lagg0', 0)} time(s)"
        f" without a network change; Wi-Fi re-associations by MAC re-initialisation (laggroam's"
        f" actions): {sum(state.reassociations.values())}"
    )
    if held:
        story.out(
            f"  devd held per event: median {sorted(held)[len(held) // 2] * 1000:.0f} ms,"
            f" max {max(held) * 1000:.0f} ms, total {sum(held):.2f} s"
        )
    story.out(f"  demo time: {time.monotonic() - started:.1f} s")


@contextlib.contextmanager
def _workdir(keep: str | None) -> Iterator[Path]:
    if keep:
        path = Path(keep)
        path.mkdir(parents=True, exist_ok=True)
        yield path.resolve()
        return
    # Short: the socket path must fit sun_path (104 bytes, sys/sys/un.h).
    path = Path(tempfile.mkdtemp(prefix="lgdemo", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run_demo(keep_dir: str | None = None, *, step: bool = False, as_json: bool = False) -> int:
    """Tell the story; 0 only when every step reached its expected state."""
    started = time.monotonic()
    style = Style(sys.stdout.isatty() and not as_json and os.environ.get("NO_COLOR") is None)
    lines: list[str] = []

    def out(text: str) -> None:
        lines.append(text)
        if not as_json:
            print(text, flush=True)

    if step and not as_json:
        print("--step: press Enter after each step.")
    with _workdir(keep_dir) as sim_dir:
        story = Story(sim_dir, out, style)
        if step and not as_json:
            story.step = _pausing(story.step)  # type: ignore[method-assign]
        out(style.title("laggroam demo: a FreeBSD laptop roaming between cable and Wi-Fi"))
        out(
            f"(simulated host; the sample policy with stuck_after = {DEMO_TIMERS['stuck_after']}"
            " and debounce = 100ms,"
        )
        out(" so that its timers take seconds, not minutes: the story takes under twenty seconds)")
        try:
            _from_rc_conf(story)
            story.sim(
                "init", "laptop", "--dual-stack", "--rc", f"ifconfig_em0=ether {HANDBOOK_MAC} up"
            )
            _plan_and_apply(story)
            story.out("")
            story.install()
            _tell(story)
            _summary(story, started)
            ok = True
        except (DemoFailed, SimError, policy_mod.PolicyErrors, OSError) as exc:
            out(f"demo FAILED: {exc}")
            ok = False
        finally:
            story.stop()
        if as_json:
            print(json.dumps({"ok": ok, "steps": story.journal.steps, "lines": lines}, indent=2))
    return EX_OK if ok else EX_SOFTWARE


def _pausing(step: Callable[..., Host]) -> Callable[..., Host]:
    def wrapped(*args: Any, **kwargs: Any) -> Host:
        host = step(*args, **kwargs)
        with contextlib.suppress(EOFError):
            input("   [Enter] ")
        return host

    return wrapped
