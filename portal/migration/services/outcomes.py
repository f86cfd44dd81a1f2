"""What follows an approved triage: rehost/replatform/refactor/rebuild get an environment (the
onboarding request is drafted by ``portal.onboarding.services.draft_migration_request``, which tells us
through :func:`environment_requested`; it reaching active comes back as :func:`environment_ready`);
retire opens a decommission checklist; retain sets a revisit date with a reminder."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.approvals.notifications import send_on_commit
from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.transitions import transition

from ..models import ENVIRONMENT_RS, DataProduct, Decommission, ParallelRun, R
from ..permissions import can_edit_product
from .products import move_product

Status = DataProduct.Status


def _locked(product: DataProduct) -> DataProduct:
    return DataProduct.objects.select_for_update().select_related("team").get(pk=product.pk)


def _check(actor, product: DataProduct, *, r, status=Status.TRIAGED) -> None:
    if not can_edit_product(actor, product):
        raise PermissionDenied(f"Only members of {product.team} can do this.")
    if product.status != status:
        raise ApplicationError(f"{product.name} is {product.get_status_display().lower()}.")
    if product.r not in (r if isinstance(r, tuple | list) else (r,)):
        raise ApplicationError(f"{product.name} is triaged to {product.get_r_display() or 'nothing yet'}.")


@transaction.atomic
def environment_requested(*, actor, product: DataProduct, request_id: int) -> DataProduct:
    """An onboarding request for the product's environment was opened (a draft the team submits)."""
    product = _locked(product)
    _check(actor, product, r=ENVIRONMENT_RS)
    move_product(product, Status.MIGRATING, actor=actor, data={"request": request_id})
    return product


@transaction.atomic
def environment_given_up(*, actor, product: DataProduct, request_id: int) -> DataProduct:
    """The environment request was withdrawn, rejected or discarded: the product may ask again."""
    product = _locked(product)
    if product.status == Status.MIGRATING and product.r in ENVIRONMENT_RS:
        move_product(product, Status.TRIAGED, actor=actor, data={"request": request_id, "why": "request ended"})
    return product


@transaction.atomic
def environment_ready(*, product_id: int, request_id: int, actor=None) -> DataProduct | None:
    """The environment request reached active: the parallel run starts today (cycles fall due by cadence)."""
    product = DataProduct.objects.select_for_update().filter(pk=product_id).first()
    if product is None or product.status != Status.MIGRATING:
        return product  # deleted meanwhile, or not waiting for an environment: nothing to start
    ParallelRun.objects.update_or_create(product=product, defaults={
        "started_on": timezone.localdate(), "environment_request_id": request_id})
    move_product(product, Status.PARALLEL_RUN, actor=actor, data={"request": request_id})
    return product


@transaction.atomic
def open_decommission(*, actor, product: DataProduct) -> Decommission:
    product = _locked(product)
    _check(actor, product, r=R.RETIRE)
    checklist, _ = Decommission.objects.get_or_create(product=product)
    move_product(product, Status.MIGRATING, actor=actor, data={"decommission": checklist.pk})
    return checklist


@transaction.atomic
def update_decommission(*, actor, checklist: Decommission, owner_sign_off: bool, retention: str,
                        retain_until: date | None, consumers_notified: bool) -> Decommission:
    checklist = Decommission.objects.select_for_update().select_related("product__team").get(pk=checklist.pk)
    if not can_edit_product(actor, checklist.product):
        raise PermissionDenied(f"Only members of {checklist.product.team} can do this.")
    if checklist.status != Decommission.Status.OPEN:
        raise ApplicationError("The decommission is done; nothing changes any more.")
    if retention and retention not in Decommission.Retention.values:
        raise ApplicationError("Choose delete or archive.", field="retention")
    if retention == Decommission.Retention.ARCHIVE and retain_until is None:
        raise ApplicationError("Archived data needs a date until which it is kept.", field="retain_until")
    if owner_sign_off and checklist.owner_signed_off_by_id is None:
        checklist.owner_signed_off_by, checklist.owner_signed_off_at = actor, timezone.now()
    elif not owner_sign_off:
        checklist.owner_signed_off_by, checklist.owner_signed_off_at = None, None
    checklist.retention = retention
    checklist.retain_until = retain_until if retention == Decommission.Retention.ARCHIVE else None
    checklist.consumers_notified = consumers_notified
    checklist.save()
    record_event(actor=actor, verb="decommission.updated", target=checklist.product, data={
        "signed_off": owner_sign_off, "retention": retention, "retain_until": str(retain_until or ""),
        "consumers_notified": consumers_notified})
    return checklist


def missing_from(checklist: Decommission) -> list[str]:
    missing = []
    if checklist.owner_signed_off_by_id is None:
        missing.append("the owner's sign-off")
    if not checklist.retention:
        missing.append("what happens to the data")
    if not checklist.consumers_notified:
        missing.append("telling the people who use its results")
    return missing


@transaction.atomic
def complete_decommission(*, actor, checklist: Decommission) -> DataProduct:
    checklist = Decommission.objects.select_for_update().select_related("product__team").get(pk=checklist.pk)
    product = _locked(checklist.product)
    if not can_edit_product(actor, product):
        raise PermissionDenied(f"Only members of {product.team} can do this.")
    missing = missing_from(checklist)
    if missing:
        raise ApplicationError("Still missing: " + ", ".join(missing) + ".")
    transition(checklist, Decommission.Status.DONE, transitions=Decommission.TRANSITIONS, actor=actor,
               verb="decommission.done", target=product)
    move_product(product, Status.RETIRED, actor=actor, data={"retention": checklist.retention})
    return product


@transaction.atomic
def retain_product(*, actor, product: DataProduct, revisit_on: date) -> DataProduct:
    product = _locked(product)
    _check(actor, product, r=R.RETAIN)
    if revisit_on <= timezone.localdate():
        raise ApplicationError("The revisit date is in the future.", field="revisit_on")
    move_product(product, Status.RETAINED, actor=actor, data={"revisit_on": revisit_on.isoformat()},
                 revisit_on=revisit_on, revisit_reminded_on=None)
    return product


@transaction.atomic
def remind_revisits(*, today: date | None = None) -> int:
    """Once per retained product whose revisit date has come: tell its team (mail) and note it (audit)."""
    today = today or timezone.localdate()
    due = (DataProduct.objects.select_for_update(skip_locked=True).select_related("team")
           .filter(status=Status.RETAINED, revisit_on__lte=today, revisit_reminded_on__isnull=True))
    count = 0
    for product in due:
        DataProduct.objects.filter(pk=product.pk).update(revisit_reminded_on=today)
        record_event(actor=None, verb="product.revisit_due", target=product, data={
            "revisit_on": product.revisit_on.isoformat()})
        people = get_user_model().objects.filter(memberships__team=product.team, is_active=True)
        send_on_commit(f"Time to revisit {product.name}", (
            f"{product.name} of {product.team} was retained on premises until {product.revisit_on:%Y-%m-%d}.\n"
            f"Triage it again: {settings.PORTAL_BASE_URL.rstrip('/')}/migrations/products/{product.pk}/"), people)
        count += 1
    return count
