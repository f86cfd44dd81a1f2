"""Registering datasets."""

from __future__ import annotations

import re

from django.db import transaction

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import DataClassification
from portal.teams.models import Team
from portal.teams.selectors import is_member

from ..models import Dataset, RetentionAction
from ..permissions import may_register, may_register_existing_bucket

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()/-]*$")
MAX_RETENTION_DAYS = 36500


def clean_prefix(prefix: str) -> str:
    """``raw/claims`` → ``raw/claims/``: a prefix is a folder (no leading slash, no ``..``, safe characters)."""
    prefix = (prefix or "").strip()
    if not prefix:
        return ""
    if prefix.startswith("/") or ".." in prefix.split("/") or "//" in prefix or not PREFIX.match(prefix):
        raise ApplicationError("A prefix is a folder path such as raw/claims/: letters, digits and ! _ . * ' ( ) - /, "
                               "no leading slash and no '..'.", field="prefix")
    return prefix if prefix.endswith("/") else prefix + "/"


def _bucket_of(resource: ProvisionedResource) -> str:
    return str((resource.outputs or {}).get("bucket_name") or resource.item.values.get("name") or "")


@transaction.atomic
def register_dataset(*, actor, team: Team, name: str, data_owner, classification: str,
                     bucket_resource: ProvisionedResource | None = None, bucket: str = "", prefix: str = "",
                     description: str = "", schema_notes: str = "", quality_notes: str = "",
                     retention_days: int = 0, retention_action: str = RetentionAction.DELETE,
                     last_reviewed=None) -> Dataset:
    """Register data the owning ``team`` answers for: on one of its portal-made buckets (its leads or an
    admin) or on an existing bucket (admins only)."""
    if team.kind != Team.Kind.MODELLING:
        raise ApplicationError("Datasets belong to modelling teams.")
    if not may_register(actor, team):
        raise PermissionDenied(f"Only a lead of {team} or a platform admin registers its datasets.")
    if bucket_resource is not None:
        if (bucket_resource.team_id != team.pk or bucket_resource.kind != "storage"
                or bucket_resource.status != ProvisionedResource.Status.ACTIVE):
            raise ApplicationError(f"Choose an active bucket of {team}.", field="bucket_resource")
        bucket = _bucket_of(bucket_resource)
    else:
        if not may_register_existing_bucket(actor):
            raise PermissionDenied("Only platform admins register a bucket the portal did not make.")
        bucket = (bucket or "").strip()
        if not bucket:
            raise ApplicationError("Choose one of the team's buckets or name an existing one.", field="bucket")
    if not BUCKET_NAME.match(bucket) or ".." in bucket:
        raise ApplicationError("A bucket name has 3 to 63 lowercase letters, digits, dots and hyphens.", field="bucket")
    prefix = clean_prefix(prefix)
    if data_owner is None or not is_member(data_owner, team):
        raise ApplicationError(f"The data owner must be a member of {team}.", field="data_owner")
    if classification not in DataClassification.values:
        raise ApplicationError("Choose public, internal, confidential or restricted.", field="classification")
    if retention_action not in RetentionAction.values:
        raise ApplicationError("Choose delete or anonymise.", field="retention_action")
    if not isinstance(retention_days, int) or not 0 <= retention_days <= MAX_RETENTION_DAYS:
        raise ApplicationError(f"Retention is 0 (keep) to {MAX_RETENTION_DAYS} days.", field="retention_days")
    if Dataset.objects.filter(name=name).exists():
        raise ApplicationError("A dataset of that name exists already.", field="name")
    if Dataset.objects.filter(bucket=bucket, prefix=prefix).exists():
        raise ApplicationError(f"s3://{bucket}/{prefix} is registered already.", field="prefix")
    dataset = Dataset.objects.create(
        name=name, team=team, data_owner=data_owner, bucket_resource=bucket_resource, bucket=bucket, prefix=prefix,
        classification=classification, description=description, schema_notes=schema_notes,
        quality_notes=quality_notes, retention_days=retention_days, retention_action=retention_action,
        last_reviewed=last_reviewed, registered_by=actor)
    record_event(actor=actor, verb="dataset.registered", target=dataset, data={
        "team": team.slug, "data_owner": data_owner.username, "bucket": bucket, "prefix": prefix,
        "classification": classification, "retention_days": retention_days, "retention_action": retention_action})
    return dataset

