"""Count the commands a System runs for actions: every write to the host."""

from laggroam.core.action import Action
from laggroam.edge.runner import Result
from laggroam.edge.system import System


class Writes:
    """Wraps ``system.execute`` so that each command an action runs is counted."""

    def __init__(self, system: System) -> None:
        self.count = 0
        execute = system.execute

        def counted(action: Action) -> list[Result]:
            results = execute(action)
            self.count += len(results)
            return results

        system.execute = counted  # type: ignore[method-assign]
