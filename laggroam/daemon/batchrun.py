"""One batch's work, on the daemon's worker thread: the shadowed stock rules and the reconcile.

The policy's own interfaces' stock rules run before the reconcile, the others'
after it, so that a flood of them delays no repair; a batch with nothing the
plan could use only chains.  Any crash is logged and survived: the next
reconcile starts from observation.
"""

import logging
from collections.abc import Callable
from pathlib import Path

from laggroam.config import policy as policy_mod
from laggroam.daemon.scheduler import MAX_BATCH_CHAIN, Batch, Dispatch, concerns_policy
from laggroam.devd import chain, devdconf
from laggroam.devd.devdline import DevdEvent
from laggroam.edge.reconcile import Outcome, locked_reconcile
from laggroam.edge.store import Store
from laggroam.edge.system import System

log = logging.getLogger(__name__)


class BatchWork:
    """Runs dispatched batches; ``stopping`` is asked between two chained events."""

    def __init__(
        self,
        system: System,
        store: Store,
        *,
        chain_root: Path | None,
        chain_path: str,
        stopping: Callable[[], bool],
    ) -> None:
        self.system = system
        self.store = store
        self.chain_root = chain_root
        self.chain_path = chain_path
        self.stopping = stopping
        self.vm_guest: str | None = None

    def run(
        self, dispatch: Dispatch, policy: policy_mod.Policy, names: frozenset[str]
    ) -> tuple[str, Outcome | None]:
        """``("chained", None)`` or ``("done", outcome)``, the outcome None after a crash."""
        batch = dispatch.batch
        if dispatch.chain_only:
            try:
                self.chain(list(batch.devd.values()))
            except Exception:
                log.exception("chaining crashed")
            return ("chained", None)
        try:
            return ("done", self.reconcile(batch, policy, names))
        except Exception:  # the daemon outlives any one reconcile's bug
            log.exception("reconcile crashed; the next one starts from observation")
            return ("done", None)

    def reconcile(
        self, batch: Batch, policy: policy_mod.Policy, names: frozenset[str]
    ) -> Outcome | None:
        if batch.ignored or batch.unchained:
            log.warning(
                "%d event(s) about interfaces the policy does not name were ignored and"
                " %d devd event(s) not chained (more than %d distinct in one batch)",
                batch.ignored,
                batch.unchained,
                MAX_BATCH_CHAIN,
            )
        mine = [e for e in batch.devd.values() if concerns_policy(e, names)]
        others = [e for e in batch.devd.values() if not concerns_policy(e, names)]
        if mine:
            self.chain(mine)
        outcome = locked_reconcile(self.system, policy, self.store, list(batch.events.values()))
        if others:
            self.chain(others)
        return outcome

    def _vm_guest(self) -> str:
        # kern.vm_guest is fixed at boot: asked once per daemon, and only if a rule needs it
        if self.vm_guest is None:
            self.vm_guest = self.system.vm_guest()
        return self.vm_guest

    def chain(self, events: list[DevdEvent]) -> None:
        """Run the shadowed stock rules once per distinct event of the batch, in order.

        devd.conf is read once for the whole batch; a stop request ends the
        chaining between two events.
        """
        try:
            config = chain.load(self.chain_root, vm_guest=self._vm_guest)
        except (devdconf.DevdConfError, OSError) as exc:
            log.warning("devd configuration unreadable, stock rules not run: %s", exc)
            return
        media_of = chain.lazy_media(
            lambda: self.system.observe(dhcp_ifaces=[], wpa_ifaces=[], wlans=[])
        )

        for done, event in enumerate(events):
            if self.stopping():
                log.warning("stopping: %d devd event(s) not chained", len(events) - done)
                return
            chain.chain(
                event,
                media_of,
                root=self.chain_root,
                sh=self.system.programs.sh,
                path=self.chain_path,
                config=config,
            )
