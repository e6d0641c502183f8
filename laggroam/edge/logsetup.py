"""Logging as a FreeBSD daemon does it: syslog facility daemon, tag ``laggroam[pid]``.

syslogd listens on /var/run/log (freebsd-src usr.sbin/syslogd/syslogd.c);
/dev/log is only a compatibility link, and the usual socket elsewhere.  Every
line of a reconcile carries that reconcile's id.
"""

import logging
import logging.handlers
import os
import sys

from laggroam.edge.reconcile import current_id

NOTICE = 25
logging.addLevelName(NOTICE, "NOTICE")
LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "notice": NOTICE,
    "warning": logging.WARNING,
    "err": logging.ERROR,
}
SYSLOG_SOCKETS = ("/var/run/log", "/dev/log")


class _ReconcileId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        rid = current_id.get()
        record.rid = "" if rid == "-" else f"[{rid}] "
        return True


class _SysLog(logging.handlers.SysLogHandler):
    """Maps NOTICE to syslog's notice, which logging does not know."""

    def mapPriority(self, levelName: str) -> str:
        return "notice" if levelName == "NOTICE" else super().mapPriority(levelName)


def setup(target: str, level: str) -> None:
    """Send the package's log to ``target`` ("syslog" or "stderr") at ``level``."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler: logging.Handler
    if target == "syslog":
        address = next((p for p in SYSLOG_SOCKETS if os.path.exists(p)), SYSLOG_SOCKETS[0])
        handler = _SysLog(address=address, facility=logging.handlers.SysLogHandler.LOG_DAEMON)
        handler.setFormatter(logging.Formatter("laggroam[%(process)d]: %(rid)s%(message)s"))
        logging.raiseExceptions = False  # a missing syslogd must not print tracebacks
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter("%(asctime)s laggroam[%(process)d]: %(rid)s%(message)s")
        )
    handler.addFilter(_ReconcileId())
    root.addHandler(handler)
    root.setLevel(LEVELS.get(level, logging.INFO))
    # watchdog logs every inotify event at debug: noise, not laggroam's story.
    logging.getLogger("watchdog").setLevel(max(root.level, logging.INFO))
