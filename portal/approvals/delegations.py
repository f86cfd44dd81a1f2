"""Delegation while an approver is away: who may decide for whom, and the writes that change it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.roles import is_platform_admin

from .models import Delegation

MAX_DELEGATION = timedelta(days=120)


def active_delegations(*, at: datetime | None = None):
    at = at or timezone.now()
    return Delegation.objects.filter(starts_at__lte=at, ends_at__gt=at)


def delegator_ids(user, *, at: datetime | None = None) -> list[int]:
    """Ids of the people ``user`` may decide for right now."""
    return list(active_delegations(at=at).filter(to_user=user).values_list("from_user_id", flat=True))


def delegates_of(user_ids, *, at: datetime | None = None):
    """The users standing in for any of ``user_ids`` right now."""
    ids = active_delegations(at=at).filter(from_user_id__in=user_ids).values("to_user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True)


@transaction.atomic
def create_delegation(*, actor, from_user, to_user, starts_at: datetime, ends_at: datetime,
                      reason: str = "") -> Delegation:
    """``from_user`` away from ``starts_at`` to ``ends_at``: ``to_user`` decides in their place."""
    if actor != from_user and not is_platform_admin(actor):
        raise PermissionDenied("You can only delegate your own approvals.")
    if from_user == to_user:
        raise ApplicationError("Choose someone else to decide while you are away.", field="to_user")
    if not to_user.is_active:
        raise ApplicationError(f"{to_user} cannot log in, so cannot stand in for you.", field="to_user")
    if ends_at <= starts_at:
        raise ApplicationError("The end must be after the start.", field="ends_at")
    if ends_at <= timezone.now():
        raise ApplicationError("The end is already past.", field="ends_at")
    if ends_at - starts_at > MAX_DELEGATION:
        raise ApplicationError(f"A delegation lasts at most {MAX_DELEGATION.days} days.", field="ends_at")
    delegation = Delegation.objects.create(from_user=from_user, to_user=to_user, starts_at=starts_at,
                                           ends_at=ends_at, reason=reason.strip()[:200])
    record_event(actor=actor, verb="delegation.created", target=delegation, data={
        "from": from_user.username, "to": to_user.username,
        "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
    })
    return delegation


def may_end_delegation(user, delegation: Delegation) -> bool:
    """The two people concerned and platform admins; to anyone else the delegation does not exist."""
    return user.pk in (delegation.from_user_id, delegation.to_user_id) or is_platform_admin(user)


@transaction.atomic
def end_delegation(*, actor, delegation: Delegation) -> Delegation:
    """Stop a delegation now (the approver is back early)."""
    if not may_end_delegation(actor, delegation):
        raise PermissionDenied("Only the two people concerned can end this delegation.")
    now = timezone.now()
    ended = Delegation.objects.filter(pk=delegation.pk, ends_at__gt=now).update(
        ends_at=max(now, delegation.starts_at + timedelta(microseconds=1)), updated_at=now)
    if ended != 1:
        raise ApplicationError("This delegation has already ended.")
    delegation.refresh_from_db()
    record_event(actor=actor, verb="delegation.ended", target=delegation,
                 data={"from": delegation.from_user.username, "to": delegation.to_user.username})
    return delegation
