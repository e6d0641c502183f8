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
from laggroam.devd.chain import StockRules
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
                self.stock().run(batch.to_chain(), self.stopping)
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
        devd = batch.to_chain()
        stock = self.stock()
        stock.run([e for e in devd if concerns_policy(e, names)], self.stopping)
        outcome = locked_reconcile(self.system, policy, self.store, batch.heard())
        stock.run([e for e in devd if not concerns_policy(e, names)], self.stopping)
        return outcome

    def _vm_guest(self) -> str:
        # kern.vm_guest is fixed at boot: asked once per daemon, and only if a rule needs it
        if self.vm_guest is None:
            self.vm_guest = self.system.vm_guest()
        return self.vm_guest

    def stock(self) -> StockRules:
        """The stock rules for one batch: devd.conf read once, one observation for media."""
        return StockRules(
            lambda: self.system.observe(dhcp_ifaces=[], wpa_ifaces=[], wlans=[]),
            root=self.chain_root,
            sh=self.system.programs.sh,
            path=self.chain_path,
            vm_guest=self._vm_guest,
        )
