"""Migrations (portal.migration) through onboarding.

- A data product's triage is reviewed as an OnboardingRequest of kind ``triage`` (no items): the same
  routing, queue, segregation of duties and audit as any request; its outcome settles the triage.
- A product triaged to rehost, replatform, refactor or rebuild gets its environment in one click: a draft
  request pre-filled from the template or bundle its R maps to, sized from the product's profile; the
  team reviews and submits it in the wizard. The product hears when that request is active (its parallel
  run starts) or given up.
"""

from __future__ import annotations

from django.db import transaction

from portal.audit.services import record_event
from portal.core.errors import ApplicationError

from ..models import OnboardingRequest, RequestKind, RequestStatus
from .requests import move_request, submit_request

GIVEN_UP = (RequestStatus.WITHDRAWN, RequestStatus.REJECTED, RequestStatus.DECOMMISSIONED)


def _triage_text(triage) -> str:
    from portal.migration.models import R

    lines = [f"Data product {triage.product.name} ({triage.product.get_kind_display()}, "
             f"{triage.product.current_platform}).",
             f"The decision tree v{triage.tree.number} proposed {R(triage.proposed_r).label}: "
             + " ".join(triage.reasons)]
    if triage.overridden:
        lines.append(f"The team chose {R(triage.chosen_r).label} instead: {triage.justification}")
    else:
        lines.append(f"The team confirmed {R(triage.chosen_r).label}.")
    return "\n".join(lines)


@transaction.atomic
def submit_triage_review(*, actor, triage, chosen_r: str, justification: str = "") -> OnboardingRequest:
    """The team confirms (or overrides) a proposed triage; MLOps enablement reviews it as a request."""
    from portal.migration.models import R
    from portal.migration.services import confirm_triage

    triage = confirm_triage(actor=actor, triage=triage, chosen_r=chosen_r, justification=justification)
    product = triage.product
    for old in OnboardingRequest.objects.select_for_update().filter(
            kind=RequestKind.TRIAGE, triage__product=product, status=RequestStatus.CHANGES_REQUESTED):
        move_request(old, RequestStatus.WITHDRAWN, actor=actor)  # replaced by this one
    request = OnboardingRequest.objects.create(
        team=product.team, requester=actor, kind=RequestKind.TRIAGE, triage=triage,
        title=f"Triage of {product.name}: {R(triage.chosen_r).label}"[:200],
        business_justification=_triage_text(triage)[:4000], data_classification=product.data_classification)
    record_event(actor=actor, verb="request.created", target=request, data={
        "kind": RequestKind.TRIAGE, "product": product.pk, "triage": triage.pk})
    return submit_request(request=request, actor=actor)


def settle_triage_request(*, request: OnboardingRequest, outcome: str, actor) -> None:
    """The review of a triage ended (inside its transaction): the triage follows; approved completes it."""
    from portal.migration.services import settle_triage_review

    settle_triage_review(triage=request.triage, outcome=outcome, actor=actor)
    if outcome == RequestStatus.APPROVED:
        move_request(request, RequestStatus.COMPLETED, actor=actor)


def environment_moved(request: OnboardingRequest, to: str, *, actor) -> None:
    """A migrated product's environment request changed status (from ``move_request``)."""
    from portal.migration.services import environment_given_up, environment_ready

    if to == RequestStatus.ACTIVE:
        environment_ready(product_id=request.migration_product_id, request_id=request.pk, actor=actor)
    elif to in GIVEN_UP:
        product = request.migration_product
        if product is not None:
            environment_given_up(actor=actor, product=product, request_id=request.pk)


def triage_withdrawn(request: OnboardingRequest, *, actor) -> None:
    """A triage review the requester withdrew: the product is triaged again."""
    from portal.migration.models import Triage
    from portal.migration.services import settle_triage_review

    if request.triage is not None and request.triage.status == Triage.Status.IN_REVIEW:
        settle_triage_review(triage=request.triage, outcome="changes_requested", actor=actor)


@transaction.atomic
def draft_migration_request(*, actor, product) -> OnboardingRequest:
    """One click: a draft request for ``product``'s environment (its R's template or bundle, sized from
    its profile), for the team to review and submit."""
    from portal.catalog.selectors import bundle_unavailable, bundle_versions
    from portal.migration.models import R
    from portal.migration.selectors import mapping_for
    from portal.migration.services import environment_requested
    from portal.migration.sizing import values_for

    from ..drafts import save_draft

    mapping = mapping_for(product)
    if mapping is None:
        raise ApplicationError(f"No template or bundle is mapped to {R(product.r).label if product.r else 'this R'} "
                               "yet; ask an admin (Migrations → Environment mappings).")
    if mapping.template_id:
        version = mapping.template.published_version()
        if version is None:
            raise ApplicationError(f"{mapping.template.name} has no published version; ask an admin.")
        specs = [(mapping.template.name, version)]
    else:
        specs = bundle_versions(mapping.bundle)
        unavailable = bundle_unavailable(mapping.bundle, specs)
        if unavailable:
            raise ApplicationError(unavailable)
    several = len(specs) > 1
    items = [(version, values_for(product, version, suffix=version.kind.split("_")[0] if several else ""))
             for _, version in specs]
    draft = save_draft(actor=actor, team=product.team, title=f"Migration of {product.name}", items=items, details={
        "data_classification": product.data_classification,
        "business_justification": f"Environment for migrating {product.name} ({R(product.r).label}) from "
                                  f"{product.current_platform}; today it uses {product.cores} cores, "
                                  f"{product.memory_gb} GB memory, {product.gpus} GPUs, "
                                  f"{product.hours_per_week} hours a week.",
        "expected_duration_days": 365})
    OnboardingRequest.objects.filter(pk=draft.pk).update(migration_product=product)
    draft.migration_product = product
    environment_requested(actor=actor, product=product, request_id=draft.pk)
    record_event(actor=actor, verb="request.migration_draft", target=draft, data={
        "product": product.pk, "mapping": str(mapping)})
    return draft
