"""Reads of datasets. What a person may see of a restricted dataset is decided here (never in a template):
rows for people outside the owning team carry its name, team, owner and class only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from portal.core.roles import is_platform_admin
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import DataClassification

from .models import Dataset
from .permissions import sees_details


def details_visible_q(user) -> Q:
    """The datasets whose details ``user`` may see (the same rule as ``permissions.sees_details``)."""
    if is_platform_admin(user):
        return Q()
    return ~Q(classification=DataClassification.RESTRICTED) | Q(team__memberships__user=user)


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset as ``user`` may see it; ``limited``: only name, team, owner and class."""

    pk: int
    name: str
    team: object
    data_owner: object
    classification: str
    classification_label: str
    limited: bool
    bucket: str = ""
    prefix: str = ""
    description: str = ""
    schema_notes: str = ""
    quality_notes: str = ""
    retention_days: int | None = None
    retention_action: str = ""
    last_reviewed: object = None
    bucket_resource_id: int | None = None


def entry_for(user, dataset: Dataset) -> DatasetEntry:
    common = {"pk": dataset.pk, "name": dataset.name, "team": dataset.team, "data_owner": dataset.data_owner,
              "classification": dataset.classification,
              "classification_label": dataset.get_classification_display()}
    if not sees_details(user, dataset):
        return DatasetEntry(**common, limited=True)
    return DatasetEntry(**common, limited=False, bucket=dataset.bucket, prefix=dataset.prefix,
                        description=dataset.description, schema_notes=dataset.schema_notes,
                        quality_notes=dataset.quality_notes, retention_days=dataset.retention_days,
                        retention_action=dataset.get_retention_action_display(),
                        last_reviewed=dataset.last_reviewed, bucket_resource_id=dataset.bucket_resource_id)


class CatalogueRows:
    """The catalogue's rows for a paginator: counted and sliced in the database, each row an entry."""

    def __init__(self, user, queryset):
        self.user, self.queryset = user, queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [entry_for(self.user, d) for d in self.queryset[index]]
        return entry_for(self.user, self.queryset[index])


def catalogue(user, *, query: str = "", team: str = "", classification: str = "") -> CatalogueRows:
    """Every dataset, filtered; the text matches names, teams and owners of all, and descriptions and
    prefixes only of the datasets whose details ``user`` may see (a search must not reveal them)."""
    rows = Dataset.objects.select_related("team", "data_owner")
    query = (query or "").strip()[:100]
    if query:
        rows = rows.filter(
            Q(name__icontains=query) | Q(team__name__icontains=query) | Q(data_owner__username__icontains=query)
            | (details_visible_q(user) & (Q(description__icontains=query) | Q(prefix__icontains=query))))
    if team:
        rows = rows.filter(team__slug=team)
    if classification in DataClassification.values:
        rows = rows.filter(classification=classification)
    return CatalogueRows(user, rows.distinct().order_by("name", "pk"))


def dataset_or_none(pk) -> Dataset | None:
    return Dataset.objects.select_related("team", "data_owner", "bucket_resource").filter(pk=pk).first()


def team_buckets(team):
    """The owning team's active buckets the portal made (what its leads may register)."""
    return ProvisionedResource.objects.filter(team=team, kind="storage",
                                              status=ProvisionedResource.Status.ACTIVE).order_by("name")


def datasets_of(team):
    return Dataset.objects.filter(team=team).select_related("data_owner").order_by("name")


# -- access -------------------------------------------------------------------------------------------------
OPEN_REQUEST_STATES = ("submitted", "in_review", "changes_requested", "approved", "provisioning", "active", "failed")


def team_role_arn(team) -> str:
    """The role a grant to ``team`` is put on: its newest active directory group's (empty: none)."""
    for outputs in (ProvisionedResource.objects.filter(team=team, kind="directory_group",
                                                       status=ProvisionedResource.Status.ACTIVE)
                    .order_by("-pk").values_list("outputs", flat=True)):
        role = (outputs or {}).get("team_role_arn")
        if isinstance(role, str) and role:
            return role
    return ""


def grant_resource(ask):
    """The grant's resource (active or destroyed), or None before it was applied."""
    return ProvisionedResource.objects.filter(item__request_id=ask.request_id).first()


def open_access_request(dataset, team):
    """``team``'s ask for ``dataset`` that is still going (in review, being applied, or granted and not ended)."""
    from .models import AccessRequest

    for ask in AccessRequest.objects.filter(dataset=dataset, team=team,
                                            request__status__in=OPEN_REQUEST_STATES).select_related("request"):
        resource = grant_resource(ask)
        if resource is None or resource.status == ProvisionedResource.Status.ACTIVE:
            return ask
    return None


@dataclass(frozen=True)
class GrantRow:
    ask: object
    state: str  # asked, granted, ended, refused
    expires_at: object = None


def _row(ask) -> GrantRow:
    status = ask.request.status
    resource = grant_resource(ask)
    if resource is not None:
        if resource.status == ProvisionedResource.Status.ACTIVE:
            return GrantRow(ask, "granted", resource.expires_at)
        return GrantRow(ask, "ended", resource.destroyed_at)
    if status in ("rejected", "withdrawn", "decommissioned"):
        return GrantRow(ask, "refused" if status == "rejected" else status)
    return GrantRow(ask, "asked")


def access_given(team):
    """Asks for ``team``'s datasets, newest first, with where each stands (the owning team's view)."""
    from .models import AccessRequest

    return [_row(ask) for ask in AccessRequest.objects.filter(dataset__team=team)
            .select_related("dataset", "team", "request")[:100]]


def access_held(team):
    """``team``'s own asks for other teams' datasets, newest first."""
    from .models import AccessRequest

    return [_row(ask) for ask in AccessRequest.objects.filter(team=team)
            .select_related("dataset", "team", "request")[:100]]


def access_to(dataset):
    from .models import AccessRequest

    return [_row(ask) for ask in AccessRequest.objects.filter(dataset=dataset)
            .select_related("dataset", "team", "request")[:100]]


# -- reviews ------------------------------------------------------------------------------------------------
def reviews_of(dataset):
    return list(dataset.reviews.select_related("reviewer").order_by("-created_at")[:20])


@dataclass(frozen=True)
class ReviewRow:
    entry: object
    ask: object
    granted_until: object  # the grant's expiry (or when it ended)
    grant_state: str


def review_rows(review) -> list[ReviewRow]:
    rows = []
    for entry in review.entries.select_related("access_request__team", "access_request__dataset",
                                               "access_request__request", "decided_by"):
        row = _row(entry.access_request)
        rows.append(ReviewRow(entry=entry, ask=entry.access_request, granted_until=row.expires_at,
                              grant_state=row.state))
    return rows
