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
