"""Asking for access to a dataset: the ask is a request routed to the data owner (and InfoSec by class);
approved, its grant is applied through Terraform and lives as long as asked."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.db import transaction

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.teams.models import Team
from portal.teams.selectors import is_member

from ..models import Access, AccessRequest, Dataset


def _grant_version():
    from portal.catalog.models import ResourceKind, ResourceTemplate

    template = ResourceTemplate.objects.filter(kind=ResourceKind.DATASET_GRANT).order_by("pk").first()
    version = template.published_version() if template else None
    if version is None:
        raise ApplicationError("Dataset grants have no published template version; ask an admin.")
    return version


def _grant_name(dataset: Dataset, team: Team) -> str:
    """Unique per grant (two grants on one role never share a policy name): dataset, team, a random tail."""
    stem = re.sub(r"[^a-z0-9-]+", "-", f"{dataset.name}-{team.slug}".lower()).strip("-")[:80]
    return f"{stem}-{secrets.token_hex(4)}"


@transaction.atomic
def request_access(*, actor, dataset: Dataset, team: Team, access: str, purpose: str, days: int) -> AccessRequest:
    """``team`` (``actor`` a member) asks for ``access`` to ``dataset`` for ``days``: a request routed to the
    data owner (and InfoSec for confidential and restricted data); approved, the grant is applied to the
    team's role and destroyed when the days are over."""
    from portal.onboarding.services import submit_composed_request

    from ..selectors import open_access_request, team_role_arn

    if team.kind != Team.Kind.MODELLING or not is_member(actor, team):
        raise PermissionDenied("You can only ask for a modelling team you belong to.")
    if team.pk == dataset.team_id:
        raise ApplicationError(f"{team} owns {dataset}: it needs no grant.", field="team")
    if access not in Access.values:
        raise ApplicationError("Choose read or read and write.", field="access")
    longest = settings.PORTAL_DATASET_GRANT_MAX_DAYS
    if not isinstance(days, int) or not 1 <= days <= longest:
        raise ApplicationError(f"A grant lasts 1 to {longest} days (ask again to extend it).", field="days")
    purpose = (purpose or "").strip()
    if len(purpose) < 10:
        raise ApplicationError("Say what the data is for (at least 10 characters).", field="purpose")
    if is_member(dataset.data_owner, team):
        raise ApplicationError(f"{dataset.data_owner}, the data owner, is in {team}: someone outside the asking "
                               "team must decide; ask the owning team to name another owner.", field="team")
    already = open_access_request(dataset, team)
    if already is not None:
        raise ApplicationError(f"{team} has asked for {dataset} already (request #{already.request_id}); withdraw "
                               "it or let it end first.", field="team")
    if not team_role_arn(team):
        raise ApplicationError(f"{team} has no directory group with a role yet: grants go to that role. Request a "
                               "directory group first.", field="team")
    values = {"name": _grant_name(dataset, team), "bucket": dataset.bucket, "prefix": dataset.prefix,
              "access": access}
    label = Access(access).label.lower()
    request = submit_composed_request(
        actor=actor, team=team, title=f"{Access(access).label} access to {dataset.name} for {team}",
        version=_grant_version(), values=values, lifetime_days=days, data_owner=dataset.data_owner,
        data_owner_team=dataset.team, details={
            "data_classification": dataset.classification, "expected_duration_days": days,
            "business_justification": f"{label} access to {dataset.name} ({dataset.location}) for {days} days: "
                                      f"{purpose}"})
    ask = AccessRequest.objects.create(dataset=dataset, team=team, request=request, access=access,
                                       purpose=purpose[:4000], days=days)
    record_event(actor=actor, verb="dataset.access_requested", target=dataset, data={
        "team": team.slug, "access": access, "days": days, "request": request.pk})
    return ask
