"""Drafts: a request being filled in, kept with whatever was typed so far, seen only by its requester.

A draft's item values may still be incomplete or wrong (they are what the person typed); they are
checked against the schema when the draft is submitted (``services.submit_request``).
"""

from __future__ import annotations

from django.db import transaction

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.teams.selectors import is_member

from .details import DURATION_CHOICES
from .models import DataClassification, OnboardingRequest, RequestItem, RequestStatus

UNTITLED = "Untitled draft"


def lenient_details(details: dict | None) -> dict:
    """The request details as far as they can be stored: unknown choices dropped, text cut to size."""
    details = details or {}
    clean: dict = {}
    if details.get("data_classification") in DataClassification.values:
        clean["data_classification"] = details["data_classification"]
    clean["business_justification"] = str(details.get("business_justification") or "").strip()[:4000]
    clean["cost_centre"] = str(details.get("cost_centre") or "").strip().upper()[:30]
    days = details.get("expected_duration_days")
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = None
    clean["expected_duration_days"] = days if days in dict(DURATION_CHOICES) else None
    return clean


def _check_own_draft(draft: OnboardingRequest, actor) -> None:
    if draft.requester_id != actor.pk:
        raise PermissionDenied("Only the person who started a draft can change it.")
    if draft.status != RequestStatus.DRAFT:
        raise ApplicationError(f"Request #{draft.pk} was already submitted; open it from My requests.")


@transaction.atomic
def save_draft(*, actor, team, title: str, items, details: dict | None = None,
               draft: OnboardingRequest | None = None) -> OnboardingRequest:
    """Create or replace a draft with ``items`` ([(version, values as typed)]) and the details typed so far."""
    if not is_member(actor, team):
        raise PermissionDenied("You can only request resources for a team you belong to.")
    fields = {"team": team, "title": (title or "").strip()[:200] or UNTITLED, **lenient_details(details)}
    if draft is None:
        draft = OnboardingRequest.objects.create(requester=actor, **fields)
        record_event(actor=actor, verb="request.created", target=draft, data={"draft": True})
    else:
        draft = OnboardingRequest.objects.select_for_update().get(pk=draft.pk)
        _check_own_draft(draft, actor)
        for name, value in fields.items():
            setattr(draft, name, value)
        draft.save(update_fields=[*fields, "updated_at"])
        draft.items.all().delete()
        record_event(actor=actor, verb="request.draft_saved", target=draft)
    for position, (version, values) in enumerate(items):
        RequestItem.objects.create(request=draft, template_version=version, position=position, values=values)
    return draft


@transaction.atomic
def discard_draft(*, draft: OnboardingRequest, actor) -> None:
    draft = OnboardingRequest.objects.select_for_update().get(pk=draft.pk)
    _check_own_draft(draft, actor)
    record_event(actor=actor, verb="request.draft_discarded", target=draft, data={"title": draft.title})
    if draft.migration_product_id is not None:  # a migrated product's environment: it may ask again
        from portal.migration.services.outcomes import environment_given_up

        environment_given_up(actor=actor, product=draft.migration_product, request_id=draft.pk)
    draft.delete()
