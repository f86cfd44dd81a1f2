"""Reads of what exists: a team's active resources, what they cost, what expires, what is behind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from portal.catalog.pricing import estimate_items, price_table

from .connect import Connect, how_to_connect
from .models import ProvisionedResource

EXPIRING_WITHIN = timedelta(days=14)
VERSION_TAG = re.compile(r"^v?([0-9]+)$")


def tracks_expiry() -> bool:
    """Whether resources have an end of life yet (``expires_at``)."""
    return any(f.name == "expires_at" for f in ProvisionedResource._meta.get_fields())


def active_resources(team) -> list[ProvisionedResource]:
    return list(ProvisionedResource.objects.filter(team=team, status=ProvisionedResource.Status.ACTIVE)
                .select_related("template_version__template", "item__request").order_by("kind", "name", "id"))


# The output people use to reach a resource, by preference.
ADDRESS_OUTPUTS = ("clone_url", "private_ip", "cluster_endpoint", "bucket_name", "group_dn", "group_name",
                   "project_name")


@dataclass
class ResourceRow:
    resource: ProvisionedResource
    monthly: Decimal
    address: str = ""
    connect: Connect = Connect()
    use: dict | None = None  # machines: recent use and idle flag (the dashboard fills it for its page)


def address_of(outputs: dict | None) -> str:
    """The first plain-text address among the outputs (sealed, sensitive values never)."""
    outputs = outputs or {}
    return next((outputs[key] for key in ADDRESS_OUTPUTS if isinstance(outputs.get(key), str) and outputs[key]), "")


def with_costs(resources) -> tuple[list[ResourceRow], Decimal]:
    """Each resource with its estimated monthly cost (its request item's values), and the total."""
    prices = price_table()
    rows = [ResourceRow(r, estimate_items([(r.template_version, r.item.values)], prices=prices).monthly,
                        address_of(r.outputs), how_to_connect(r.kind, r.outputs)) for r in resources]
    return rows, sum((row.monthly for row in rows), Decimal(0))


def expiring_soon(resources, *, now: datetime, within: timedelta = EXPIRING_WITHIN) -> list[ProvisionedResource]:
    ending = [r for r in resources if getattr(r, "expires_at", None) and r.expires_at <= now + within]
    return sorted(ending, key=lambda r: r.expires_at)


@dataclass(frozen=True)
class BehindRepo:
    resource: ProvisionedResource
    current: str
    newest: int


def version_number(tag) -> int | None:
    match = VERSION_TAG.match(str(tag or ""))
    return int(match.group(1)) if match else None


def version_checked_at(resource) -> datetime | None:
    """When a worker last read the repo's ``main`` for its scaffold version (None: never)."""
    raw = (resource.outputs or {}).get("scaffold_checked_at")
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def repos_behind(resources) -> list[BehindRepo]:
    """Repos scaffolded from an older version than their template's newest published one."""
    newest: dict[int, int | None] = {}
    behind = []
    for resource in resources:
        if resource.kind != "repo":
            continue
        template = resource.template_version.template
        if template.pk not in newest:
            published = template.published_version()
            newest[template.pk] = published.number if published else None
        current = version_number((resource.outputs or {}).get("scaffold_version"))
        if current is not None and newest[template.pk] and current < newest[template.pk]:
            behind.append(BehindRepo(resource, f"v{current}", newest[template.pk]))
    return behind


def last_upgrade_runs(resources) -> dict:
    """The newest ``upgrade`` run of each resource's item, by resource pk (repos never upgraded: absent)."""
    from provisioning.models import Run

    by_item = {r.item_id: r.pk for r in resources}
    latest: dict = {}
    for run in Run.objects.filter(item_id__in=by_item, action=Run.Action.UPGRADE).order_by("created_at", "id"):
        latest[by_item[run.item_id]] = run
    return latest
