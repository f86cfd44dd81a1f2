"""The portal's side of provisioning's signals: audit every run's status change, decide what follows
a run's end (the worker reports, the portal decides)."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from portal.audit.services import record_event
from provisioning.signals import run_changed, run_ended

log = logging.getLogger(__name__)


@receiver(run_changed, dispatch_uid="onboarding.audit_run_changed")
def audit_run_changed(sender, run, old, new, actor=None, **kwargs) -> None:
    """One audit row per run status change, on the request the run serves, in the same transaction."""
    data = {"run": run.pk, "action": run.action, "attempt": run.attempt}
    if old is None:
        data["purpose"] = run.purpose
    if new == "running":
        data["worker"] = run.worker
    if new in ("failed", "cancelled") and run.error:
        data["error"] = run.error
    targets = [run.item.request]
    if run.change_id is not None:
        targets.append(run.change.request)
    verb = "run.started" if new == "running" else f"run.{new}"
    for target in targets:
        record_event(actor=actor, verb=verb, target=target, data=data)


@receiver(run_ended, dispatch_uid="onboarding.settle_run")
def settle_ended_run(sender, run, **kwargs) -> None:
    from .services.fulfilment import settle_run

    settle_run(run)
