"""The hooks' fast path: validate the devd event, hand it over, return.

devd runs one action at a time and waits for each (freebsd-src
sbin/devd/devd.cc my_system), so a hook must cost no more than an interpreter
start and a socket write.  This module imports only what a bare ``python3 -I
-S`` already has at hand (``posix``, ``sys``), ``_socket`` and the interface-name
rule (``laggroam.core.ifname``, which imports nothing): not even ``os``,
which would pull in ``_collections_abc``, ``stat`` and ``posixpath`` (a
millisecond, an eighth of the interpreter's start; see bench/held.py), no
``re``, no ``socket`` module, nothing of the engine; ``syslog`` only when
there is something to log.

A hook receives devd's ``$*`` (the whole event line, one ``$'...'``-quoted
word in current devd, several words in older ones), checks it, and sends
``laggroam/1 DEVD <line>`` to the daemon.  When no daemon answers, it starts a
detached ``laggroam apply --coalesce --devd <line>`` and exits at once.
"""

import _socket
import posix
import sys

from laggroam.core.ifname import is_ifname

# The record size the kernel allows (sys/kern/kern_devctl.c DEVCTL_BUFFER).
MAX_LINE = 1016
SAFE_PATH = "/sbin:/bin:/usr/sbin:/usr/bin"
# The daemon's socket protocol (laggroam.devd.protocol reads it back).
VERSION = "laggroam/1"

# Which devd events each hook accepts: (first character, system, types).
CLASSES: dict[str, tuple[str, str, frozenset[str]]] = {
    "link": ("!", "IFNET", frozenset({"LINK_UP", "LINK_DOWN"})),
    "ifnet": ("!", "IFNET", frozenset({"ATTACH", "DETACH"})),
    "power": ("!", "ACPI", frozenset({"Resume"})),
}

# devd.cc config::is_id_char: isalpha, isdigit, '_' and '-'.
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def _fields(line: str) -> dict[str, str] | None:
    """devd's variables of a ``!`` line that has no quoting; None when it has some.

    devd splits ``key=value`` pairs, stops at the first word that is not one,
    and lets a later pair override an earlier one (freebsd-src sbin/devd/devd.cc
    ``process_event`` and ``set_vars``); laggroam.devd.devdline reproduces all of it,
    quotes included.  A kernel IFNET or ACPI event never quotes, so a line with
    a quote is refused rather than split differently from devd.  A backslash
    outside quotes is an ordinary character to devd (``fix_value`` only drops
    the one before a ``"``), and the resume event carries one: ``type=\\``, the
    ACPI root object's path (sys/dev/acpica/acpi.c ``acpi_EnterSleepState``
    calls ``acpi_UserNotify("Resume", ACPI_ROOT_OBJECT, state)``), so it is kept.
    """
    if '"' in line:
        return None
    out = {}
    for i, word in enumerate(line[1:].split(" ")):
        if not word:
            if i == 0:
                break  # devd's chop_var reads no key at a space: nothing is set
            continue
        key, sep, value = word.partition("=")
        if not sep or not all(c in _KEY_CHARS for c in key):
            break
        out[key] = value
    return out


def classify(line: str) -> tuple[str | None, str | None]:
    """(the hook class that accepts ``line``, None) or (None, why no hook accepts it).

    The daemon applies this same rule to every devd line a peer sends, so
    that nothing reaches it, or is chained, that no hook would forward.
    """
    problems: list[str] = []
    for hook_class in CLASSES:
        problem = check(hook_class, line)
        if problem is None:
            return hook_class, None
        if problem not in problems:
            problems.append(problem)
    return None, "; ".join(problems)


def check(hook_class: str, line: str) -> str | None:
    """Why ``line`` is refused by this hook, or None when it is acceptable."""
    problem = _text_problem(line)
    if problem is not None:
        return problem
    first, system, types = CLASSES[hook_class]
    if line[0] != first:
        return f"not a {first} event"
    fields = _fields(line)
    if fields is None:
        return "event has quotes"
    return _event_problem(fields, system, types)


def _text_problem(line: str) -> str | None:
    """What makes ``line`` no devd record at all: empty, too long, not printable ASCII."""
    if not line:
        return "empty event"
    if len(line) > MAX_LINE:
        return f"event longer than {MAX_LINE} bytes"
    if not line.isascii() or not line.isprintable():
        return "event has non-ASCII or control characters"
    return None


def _event_problem(fields: dict[str, str], system: str, types: frozenset[str]) -> str | None:
    """Why devd's variables are not the hook's event: system, type, or interface name."""
    if fields.get("system") != system:
        return f"system is not {system}"
    if system == "ACPI":
        return None if fields.get("subsystem") in types else "not an ACPI resume"
    if fields.get("type") not in types:
        return f"type is not one of {' '.join(sorted(types))}"
    name = fields.get("subsystem", "")
    if not is_ifname(name):
        return f"invalid interface name {name[:40]!r}"
    return None


# syslog(3) priorities (sys/sys/syslog.h), so that the hot path need not import syslog.
LOG_ERR = 3
LOG_WARNING = 4


def log(priority: int, message: str) -> None:
    import syslog

    syslog.openlog("laggroam-hook", syslog.LOG_PID, syslog.LOG_DAEMON)
    syslog.syslog(priority, message)
    # devd gives actions /dev/null as stderr; a person running the hook sees it.
    posix.write(2, f"laggroam-hook: {message}\n".encode("ascii", "replace"))


def frame(line: str) -> bytes:
    """The one message a hook sends: the devd line, framed for the daemon's socket."""
    return f"{VERSION} DEVD {line}\n".encode("ascii")


def send(socket_path: str, message: bytes) -> bool:
    """Hand ``message`` to the daemon without ever blocking; False when nobody took it."""
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        sock.connect(socket_path)
        return sock.send(message) == len(message)
    except OSError:
        return False
    finally:
        sock.close()


def spawn_apply(laggroam: list[str], line: str) -> bool:
    """Start a detached one-shot reconcile; never waits for it."""
    argv = [*laggroam, "apply", "--coalesce", "--devd", line]
    env = {"PATH": SAFE_PATH, "HOME": "/"}
    try:
        posix.posix_spawn(argv[0], argv, env, setsid=True)
    except OSError as exc:
        log(LOG_ERR, f"cannot start {argv[0]}: {exc.strerror}")
        return False
    return True


def main(argv: list[str], hook_class: str, socket_path: str, laggroam: list[str]) -> int:
    """Run one hook; always 0, because devd ignores the status and must not wait."""
    line = " ".join(argv[1:])
    problem = check(hook_class, line)
    if problem is not None:
        log(LOG_WARNING, f"refused {hook_class} event: {problem}")
        return 0
    if not send(socket_path, frame(line)):
        spawn_apply(laggroam, line)
    return 0


def run(argv: list[str], hook_class: str, socket_path: str, laggroam: list[str]) -> None:
    """``main`` for a hook's own process: exits at once, skipping the interpreter's tear-down.

    Nothing is left to flush (stderr is written unbuffered, the socket is
    closed, a one-shot is already detached), and the tear-down costs a
    seventh of the interpreter's start (bench/held.py), which devd waits for.
    """
    posix._exit(main(argv, hook_class, socket_path, laggroam))


if __name__ == "__main__":  # pragma: no cover - the hooks call main() themselves
    sys.exit(main(sys.argv, "link", "/var/run/laggroam.sock", ["/usr/local/bin/laggroam"]))
