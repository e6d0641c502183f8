"""One thing wrong with rc.conf, at the line of the variable to change, and their collection.

Apart from the checks so that both kinds -- the setup's own pitfalls
(``rcadvice``) and its conflicts with a policy (``rcpolicy``) -- and
``init`` (``rcinit``) share one form.
"""

from dataclasses import dataclass

from laggroam.rc.rcconf import Assignment, RcConf


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong, at the line of the variable to change."""

    kind: str
    path: str
    line: int
    message: str
    # The lagg the finding is about, if any.
    lagg: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class Findings:
    """The findings of one check, ordered by file and line at the end."""

    def __init__(self, rc: RcConf) -> None:
        self.rc = rc
        self.found: list[Finding] = []

    def add(self, kind: str, at: Assignment | None, message: str, lagg: str = "") -> None:
        path, line = (at.path, at.line) if at is not None else (self.rc.paths[0], 1)
        self.found.append(Finding(kind, path, line, message, lagg))

    def ordered(self) -> list[Finding]:
        rank = {path: index for index, path in enumerate(self.rc.paths)}
        return sorted(self.found, key=lambda f: (rank.get(f.path, len(rank)), f.line))
