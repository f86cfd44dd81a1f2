"""The requester edits a request in review (or sent back for changes) and resubmits it.

Editing voids every earlier decision (kept, marked void) and routes the request afresh, so the
stages fit the new values and nobody's approval covers values they did not see.
"""

from __future__ import annotations

from django.db import transaction

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied

from .details import clean_details
from .models import EDITABLE_STATES, OnboardingRequest
from .services.requests import submit_request, validated_items


@transaction.atomic
def revise_request(*, request: OnboardingRequest, actor, item_values: dict[int, dict],
                   details: dict | None = None, comment: str = "") -> OnboardingRequest:
    """Replace the values of items (by pk) and the details, then resubmit for a new review round."""
    from portal.approvals.services import void_review

    request = OnboardingRequest.objects.select_for_update().get(pk=request.pk)  # decisions wait for us
    if actor.pk != request.requester_id:
        raise PermissionDenied("Only the requester can edit this request.")
    if request.status not in EDITABLE_STATES:
        raise ApplicationError(f"A request that is {request.get_status_display().lower()} cannot be edited.")
    items = list(request.items.select_related("template_version__template"))
    unknown = set(item_values) - {item.pk for item in items}
    if unknown:
        raise ApplicationError("Those items are not part of this request.")
    new_values = [item_values.get(item.pk, item.values) for item in items]
    validated_items([(item.template_version, values) for item, values in zip(items, new_values, strict=True)])
    clean = clean_details(details)
    changed_items = [item for item, values in zip(items, new_values, strict=True) if values != item.values]
    changed_details = [name for name, value in clean.items() if getattr(request, name) != value]
    if not changed_items and not changed_details and request.status != "changes_requested":
        raise ApplicationError("Nothing changed, so the review goes on as it is.")
    for item, values in zip(items, new_values, strict=True):
        if item in changed_items:
            item.values = values
            item.save(update_fields=["values", "updated_at"])
    for name in changed_details:
        setattr(request, name, clean[name])
    if changed_details:
        request.save(update_fields=[*changed_details, "updated_at"])
    record_event(actor=actor, verb="request.edited", target=request, data={
        "items": [item.pk for item in changed_items], "details": changed_details, "comment": comment.strip()})
    void_review(request=request, actor=actor, why="the request was edited")
    return submit_request(request=request, actor=actor)
