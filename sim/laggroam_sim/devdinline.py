"""devd taking an operation's events while the operation still holds the host.

The simulator's devd is one: each event goes, in journal order, to the first
matching rule of the host's configuration through the product's engine
(``laggroam.devd.devdmatch``), and each of the rule's actions runs as devd
runs it (``devdactions``).  Who hands the events over differs only in when:

* here, inside the operation that raised them (a stand-in or a ``sim``
  verb), while it holds the host -- when every action of the rule is a
  stand-in that can run on the open host, devd has taken every earlier event
  and no delivery is under way;
* otherwise in ``devd.deliver``, after the operation let go of the host:
  the first event whose rule runs another program (laggroam's hooks) and
  every later one wait there, so that the order stays devd's.

Before ``/etc/devd.conf`` exists under DIR/root (a host being built, or one
held in memory) devd reads the stock configuration of the host's release.
"""

import os
import time
from pathlib import Path

from laggroam.devd import chain, devdconf, devdmatch
from laggroam.devd.devdline import DevdLineError, parse_event
from laggroam_sim import devdactions, devdlog, devdrules
from laggroam_sim.state import Sim

# (root, stamp of its devd files) -> the configuration read from them
_CACHE: dict[tuple[str, tuple[int, ...]], devdconf.Config | None] = {}


def play(sim: Sim) -> None:
    """Deliver this operation's pending events here, in order, while devd may."""
    while sim.devd_seen < len(sim.events) and _may_play(sim):
        line = sim.events[sim.devd_seen]
        one = _deliver(sim, line, sim.devd_seen)
        if one is None:
            sim.inline.may = False  # this event and every later one: devd.deliver
            return
        sim.inline.done.append(one)
        sim.devd_seen += 1


def _may_play(sim: Sim) -> bool:
    inline = sim.inline
    if inline.may is None:
        inline.may = sim.state.devd and _take(sim)
    return inline.may


def _take(sim: Sim) -> bool:
    """The delivery lock, when no delivery is under way and none is behind."""
    if not Path(sim.dir).is_dir():
        return True  # a host held in memory: nobody else delivers
    fd = devdlog.try_lock(sim.dir)
    if fd is None:
        return False
    if devdlog.delivered(sim.dir) < sim.state.next_seq - 1:
        os.close(fd)  # older events wait for devd.deliver: it keeps the order
        return False
    sim.inline.fd = fd
    return True


def _deliver(sim: Sim, line: str, index: int) -> devdlog.Delivery | None:
    """The event through devd's rules on the open host; None when it must wait."""
    started, clock = time.time(), time.monotonic()
    config = config_of(sim)
    if config is None:
        return None  # a configuration devd cannot read: devd.deliver says why
    try:
        event = parse_event(line)
    except DevdLineError as exc:
        return devdlog.Delivery(index, line, None, (), (), 0.0, started, error=exc.message)
    rule = devdmatch.find_rule(config, event, devdrules.media_types(sim.state))
    if rule is None:
        return devdlog.Delivery(index, line, None, (), (), time.monotonic() - clock, started)
    commands = devdmatch.rule_commands(config, rule, event)
    programs = [devdactions.standin(c, sim.dir) for c in commands]
    if any(p is None for p in programs):
        return None
    statuses: list[int | None] = []
    output = ""
    for found in programs:
        assert found is not None
        status, text = devdactions.run_inline(sim, *found)
        statuses.append(status)
        output += text
    held = time.monotonic() - clock
    return devdlog.Delivery(index, line, rule.where, commands, tuple(statuses), held, started,
                            output)  # fmt: skip


def config_of(sim: Sim) -> devdconf.Config | None:
    """The host's devd configuration, read again only when its files changed."""
    root = Path(sim.dir).resolve() / "root"
    key = (str(root), _stamp(root))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _read(root, sim.state.release)
    return _CACHE[key]


def _read(root: Path, release: str) -> devdconf.Config | None:
    if not (root / "etc/devd.conf").is_file():
        return devdrules.stock(root, release)
    try:
        return chain.load(root)
    except (devdconf.DevdConfError, OSError):
        return None


def _stamp(root: Path) -> tuple[int, ...]:
    """mtime and inode of /etc/devd.conf and of the directories it reads: every
    file the simulator installs is written by rename, which changes them."""
    out: list[int] = []
    for rel in ("etc/devd.conf", "etc/devd", "usr/local/etc/devd"):
        try:
            st = os.stat(root / rel)
        except OSError:
            out += [0, 0]
        else:
            out += [st.st_mtime_ns, st.st_ino]
    return tuple(out)
