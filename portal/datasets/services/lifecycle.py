"""Changing a dataset's classification or retention: a request its data owner makes, reviewed like any
(InfoSec when the data becomes confidential or restricted); approved, the dataset follows. Lowering the
classification is refused while grants exist that were approved for a stricter class."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import DataClassification

from ..models import CLASS_RANK, AccessRequest, Dataset, LifecycleChange, RetentionAction
from .registration import MAX_RETENTION_DAYS

OPEN = ("submitted", "in_review", "changes_requested", "approved")


def grants_exceeding(dataset: Dataset, classification: str) -> list[AccessRequest]:
    """Active grants on ``dataset`` approved for data stricter than ``classification``."""
    granted = ProvisionedResource.objects.filter(kind="dataset_grant", status=ProvisionedResource.Status.ACTIVE)
    asks = (AccessRequest.objects.filter(dataset=dataset, request__items__resource__in=granted)
            .select_related("team", "request").distinct())
    return [ask for ask in asks if CLASS_RANK[ask.request.data_classification] > CLASS_RANK[classification]]


def _check(dataset: Dataset, classification: str) -> None:
    exceeding = grants_exceeding(dataset, classification)
    if exceeding:
        teams = ", ".join(sorted({str(ask.team) for ask in exceeding}))
        raise ApplicationError(f"Grants approved for {dataset.get_classification_display().lower()} data exist "
                               f"({teams}): revoke them or let them end before lowering the class.",
                               field="classification")


@transaction.atomic
def request_lifecycle_change(*, actor, dataset: Dataset, classification: str, retention_days: int,
                             retention_action: str, reason: str) -> LifecycleChange:
    from portal.onboarding.services import submit_dataset_change

    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if actor.pk != dataset.data_owner_id:
        raise PermissionDenied(f"Only {dataset.data_owner}, the data owner, asks to change {dataset}.")
    if classification not in DataClassification.values:
        raise ApplicationError("Choose public, internal, confidential or restricted.", field="classification")
    if retention_action not in RetentionAction.values:
        raise ApplicationError("Choose delete or anonymise.", field="retention_action")
    if not isinstance(retention_days, int) or not 0 <= retention_days <= MAX_RETENTION_DAYS:
        raise ApplicationError(f"Retention is 0 (keep) to {MAX_RETENTION_DAYS} days.", field="retention_days")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why (the reviewers read it).", field="reason")
    previous = {"classification": dataset.classification, "retention_days": dataset.retention_days,
                "retention_action": dataset.retention_action}
    asked = {"classification": classification, "retention_days": retention_days,
             "retention_action": retention_action}
    if asked == previous:
        raise ApplicationError("Nothing changes: these are the values it has now.")
    _check(dataset, classification)
    if LifecycleChange.objects.filter(dataset=dataset, request__status__in=OPEN).exists():
        raise ApplicationError("A change of this dataset is in review already.")
    what = "; ".join(f"{k.replace('_', ' ')} {previous[k]} → {v}" for k, v in asked.items() if previous[k] != v)
    request = submit_dataset_change(actor=actor, team=dataset.team, title=f"Change {dataset.name}: {what}",
                                    justification=f"{dataset.name} ({dataset.location}): {what}. {reason}",
                                    classification=classification)
    change = LifecycleChange.objects.create(dataset=dataset, request=request, previous=previous, **asked)
    record_event(actor=actor, verb="dataset.change_requested", target=dataset, data={
        "request": request.pk, **asked, "previous": previous})
    return change


def settle_lifecycle_change(*, request, outcome: str, actor) -> None:
    """The review of a dataset change ended (inside its transaction): approved, the dataset takes the values,
    unless a grant for a stricter class appeared meanwhile (then nothing changes and the audit says why)."""
    change = LifecycleChange.objects.filter(request=request).select_related("dataset").first()
    if change is None or outcome != "approved":
        return
    dataset = Dataset.objects.select_for_update().get(pk=change.dataset_id)
    try:
        _check(dataset, change.classification)
    except ApplicationError as refused:
        record_event(actor=actor, verb="dataset.change_not_applied", target=dataset,
                     data={"request": request.pk, "why": refused.message})
        return
    now = timezone.now()
    Dataset.objects.filter(pk=dataset.pk).update(classification=change.classification,
                                                 retention_days=change.retention_days,
                                                 retention_action=change.retention_action, updated_at=now)
    LifecycleChange.objects.filter(pk=change.pk).update(applied_at=now, updated_at=now)
    record_event(actor=actor, verb="dataset.changed", target=dataset, data={
        "request": request.pk, "classification": change.classification, "retention_days": change.retention_days,
        "retention_action": change.retention_action, "previous": change.previous})
