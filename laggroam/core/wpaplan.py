"""The planner's wpa_supplicant rules: keep one running, restart it only when stuck.

The evidence is time without association: ``wpa_cli status``'s wpa_state when
it answers, else ifconfig's ``status: associated`` (wpa_cli answers only when
the configuration has ``ctrl_interface=``; its silence says nothing about the
association).  A resume or a new instance only starts a watch (``on-resume``,
``on-attach``): a supplicant that associates within ``stuck_after`` is left
alone.  Restarts back off and give up visibly; how many there were and when the
next may come follow each restart's result (laggroam.core.after).  Pure.
"""

from dataclasses import dataclass, replace

from laggroam.core.action import Action, RestartWpa, StartWpa
from laggroam.core.host import Host, Supplicant
from laggroam.core.memory import WlanMemory
from laggroam.core.policymodel import WlanPolicy

# laggroam gives up (visibly) after this many restarts without an association
# in between.
MAX_WPA_RESTARTS = 5
# The wpa_state of an associated, keyed station (contrib/wpa
# wpa_supplicant/wpa_supplicant.c wpa_supplicant_state_txt).
WPA_ASSOCIATED = "COMPLETED"


@dataclass(frozen=True, slots=True)
class WpaStep:
    """What one wlan's supplicant needs: actions, its memory (None: as it was), notes,
    and the times a later reconcile should look again."""

    actions: tuple[Action, ...] = ()
    memory: WlanMemory | None = None
    notes: tuple[str, ...] = ()
    wake: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class WpaSituation:
    """What the planner knows of the wlan beyond the host and its memory."""

    now: float
    created: bool = False
    new_instance: bool = False
    resumed: bool = False


def decide(w: WlanPolicy, host: Host, mem: WlanMemory, seen: WpaSituation) -> WpaStep:
    """The step for wlan ``w`` (which exists, or is created by this plan, with ``wpa``)."""
    sup = host.wpa.get(w.name)
    if seen.created:
        return WpaStep((StartWpa(w.name, f"{w.name} was just created", w.wpa_conf),))
    if sup is None or sup.running is None:
        return WpaStep(notes=(f"wpa_supplicant on {w.name}: state unknown; not acted on",))
    if not sup.running:
        start = StartWpa(w.name, f"no wpa_supplicant runs on {w.name}", w.wpa_conf)
        return WpaStep((start,), replace(mem, unassociated_since=None))
    associated = associated_by(host, w.name, sup.state)
    if associated is None:
        return WpaStep(
            notes=(
                f"wpa_supplicant on {w.name}: neither wpa_cli nor ifconfig tells whether it is"
                " associated; not acted on",
            )
        )
    if associated:
        return WpaStep(memory=WlanMemory(present=mem.present))
    return _unassociated(w, sup, mem, seen)


def associated_by(host: Host, name: str, wpa_state: str | None) -> bool | None:
    """wpa_cli's answer when there is one, else ifconfig's 802.11 status."""
    if wpa_state is not None:
        return wpa_state == WPA_ASSOCIATED
    iface = host.get(name)
    if iface is None or iface.status is None:
        return None
    # sbin/ifconfig/ifmedia.c: an 802.11 station prints "status: associated"
    return iface.status == "associated"


def _unassociated(w: WlanPolicy, sup: Supplicant, mem: WlanMemory, seen: WpaSituation) -> WpaStep:
    """Watch, wait, restart within the back-off, or give up."""
    notes: list[str] = []
    trigger = None
    if seen.new_instance and "on-attach" in w.restart_wpa:
        trigger = f"{w.name} is a new instance (ATTACH)"
    elif seen.resumed and "on-resume" in w.restart_wpa:
        trigger = "the machine resumed"
    if trigger is not None:
        # Look after it: a fresh window of stuck_after, a fresh restart count.
        mem = WlanMemory(present=mem.present, unassociated_since=seen.now, watching=True)
        notes.append(
            f"wpa_supplicant on {w.name}: {trigger}; restarted only if it has not associated"
            f" within {w.stuck_after:g}s"
        )
    since = mem.unassociated_since if mem.unassociated_since is not None else seen.now
    mem = replace(mem, unassociated_since=since)
    if "on-stuck" not in w.restart_wpa and not mem.watching:
        return WpaStep(memory=mem, notes=tuple(notes))
    step = _stuck(w, sup, mem, since, seen.now)
    return replace(step, notes=(*notes, *step.notes))


def _stuck(w: WlanPolicy, sup: Supplicant, mem: WlanMemory, since: float, now: float) -> WpaStep:
    """The stuck rule for a wlan without association since ``since``."""
    stuck_at = since + w.stuck_after
    if now < stuck_at:
        return WpaStep(memory=mem, wake=(stuck_at,))
    if mem.gave_up:
        note = (
            f"wpa_supplicant on {w.name}: gave up after {mem.restarts} restarts without"
            " association; it resumes after the next association, ATTACH or resume"
        )
        return WpaStep(memory=mem, notes=(note,))
    if now < mem.next_restart:
        note = (
            f"wpa_supplicant on {w.name}: restart {mem.restarts} did not help; next in"
            f" {mem.next_restart - now:.0f}s"
        )
        return WpaStep(memory=mem, notes=(note,), wake=(mem.next_restart,))
    if mem.restarts >= MAX_WPA_RESTARTS:
        note = (
            f"wpa_supplicant on {w.name}: giving up after {mem.restarts} restarts without"
            " association"
        )
        return WpaStep(memory=replace(mem, gave_up=True), notes=(note,))
    restart = RestartWpa(
        w.name,
        f"wpa_supplicant on {w.name} has not associated for"
        f" {now - since:.0f}s (stuck_after {w.stuck_after:g}s)",
        w.wpa_conf,
        sup.pid,
        w.stuck_after,
    )
    return WpaStep((restart,), mem)
