"""sd_notify through the ``sdnotify`` package, with its silent failure modes covered.

sdnotify 0.3.2 drops a message without a word when it is not Latin-1 and
when ``NOTIFY_SOCKET`` is unset (reference python-on-freebsd.md §2.1), so
laggroam keeps every message printable ASCII and creates the notifier only
when there is somewhere to send to.  On FreeBSD nothing in base listens; the
notifier is then a no-op and readiness is the pidfile, as rc.subr expects.
"""

import os
import time

import sdnotify


def _ascii(text: str) -> str:
    return "".join(c if " " <= c <= "~" else "?" for c in text)


class Notifier:
    """READY, STATUS, RELOADING, STOPPING and WATCHDOG, one datagram each."""

    def __init__(self) -> None:
        self._sd = sdnotify.SystemdNotifier() if os.environ.get("NOTIFY_SOCKET") else None

    @property
    def enabled(self) -> bool:
        return self._sd is not None

    def send(self, *fields: str) -> None:
        if self._sd is not None:
            self._sd.notify("\n".join(_ascii(f) for f in fields))

    def ready(self, status: str) -> None:
        self.send("READY=1", f"STATUS={status}")

    def status(self, status: str) -> None:
        self.send(f"STATUS={status}")

    def reloading(self) -> None:
        # systemd sd_notify(3): RELOADING=1 carries MONOTONIC_USEC of CLOCK_MONOTONIC.
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        self.send("RELOADING=1", f"MONOTONIC_USEC={usec}")

    def stopping(self) -> None:
        self.send("STOPPING=1")

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    @staticmethod
    def watchdog_interval() -> float | None:
        """Half of WATCHDOG_USEC when the supervisor asks this process for pings."""
        usec = os.environ.get("WATCHDOG_USEC", "")
        pid = os.environ.get("WATCHDOG_PID", "")
        if not usec.isdigit() or int(usec) == 0:
            return None
        if pid and pid != str(os.getpid()):
            return None
        return int(usec) / 2_000_000


class Readiness:
    """What the supervisor is told and when: READY=1 after the first reconcile, then
    after each reload; watchdog pings at half the interval it asked for."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.ready_sent = False
        self.interval = notifier.watchdog_interval()
        self.next_ping: float | None = None

    def start(self, now: float) -> None:
        self.next_ping = now if self.interval else None

    def ping_if_due(self, now: float) -> None:
        if self.interval and self.next_ping is not None and now >= self.next_ping:
            self.notifier.watchdog()
            self.next_ping = now + self.interval

    def reconciled(self, summary: str) -> None:
        """A reconcile ended: the first makes the daemon ready."""
        if not self.ready_sent:
            self.notifier.ready(summary)
            self.ready_sent = True
        else:
            self.notifier.status(summary)

    def reloaded(self, summary: str) -> None:
        """A reload was answered; before the first reconcile it is only a status."""
        if self.ready_sent:
            self.notifier.reloading()
            self.notifier.ready(summary)
        else:
            self.notifier.status(summary)

    def refused(self, summary: str, *, requested: bool) -> None:
        """A bad policy: a SIGHUP still gets its RELOADING/READY, anything else a status."""
        if requested:
            self.reloaded(summary)
        else:
            self.notifier.status(summary)

    def stopping(self) -> None:
        self.notifier.stopping()
