"""The built-in catalog: one template per resource kind (published as v1 on first start),
the bundles built from them, and list prices for everything they offer."""

from __future__ import annotations

from portal.catalog.instance_types import INSTANCE_TYPES, OTHER_PRICES
from portal.catalog.models import Bundle, BundleItem, Price, ResourceTemplate, TemplateVersion

from .machines import MACHINES
from .properties import SANDBOX_AMI
from .team_tools import TEAM_TOOLS

__all__ = ["BUILTIN", "BUNDLES", "SANDBOX_AMI", "ensure_builtin_templates", "ensure_bundles", "ensure_prices"]

BUILTIN = [*MACHINES, *TEAM_TOOLS]

BUNDLES = [
    {"slug": "ml-starter", "name": "ML starter",
     "description": "Everything a new modelling team starts with: a project repository from the ML scaffold, "
                    "its CI pipeline, a directory group for the team and a CPU machine to work on.",
     "templates": ["ml-repo", "ci-pipeline", "directory-group", "cpu-vm"]},
    {"slug": "gpu-training", "name": "GPU training",
     "description": "A GPU machine for deep-learning training and a bucket for datasets and checkpoints.",
     "templates": ["gpu-vm", "storage-bucket"]},
]


def ensure_builtin_templates() -> list[TemplateVersion]:
    """Create each built-in template with a published v1 if it does not exist yet; returns each one's
    newest published version.

    A published version's module is frozen (``catalog.modules``), so a module shipped with new content
    (e.g. a way in, ``instance_state``) reaches requesters only through a new version: when the shipped
    files differ from what the newest published version froze, its next version is published — the same
    schema, fixed values and lifetime, the module frozen anew — exactly as an admin would, audited. Requests
    that pinned the older version keep it."""
    from django.utils import timezone

    from portal.catalog.modules import freeze_module

    versions = []
    for spec in BUILTIN:
        template, _ = ResourceTemplate.objects.get_or_create(
            slug=spec["slug"],
            defaults={"kind": spec["kind"], "name": spec["name"], "description": spec["description"]},
        )
        version = template.published_version() or template.versions.order_by("number").first()
        if version is None:
            version = TemplateVersion.objects.create(
                template=template, number=1, parameter_schema=spec["schema"], module=spec["module"],
                engine=spec["engine"], fixed_values=spec["fixed_values"], status=TemplateVersion.Status.PUBLISHED,
                published_at=timezone.now(), default_lifetime_days=spec.get("default_lifetime_days"),
            )
        freeze_module(version)  # published: its module is frozen like any published version's
        if _shipped_module_changed(version):
            version = _publish_shipped_module(version)
        versions.append(version)
    return versions


def _shipped_module_changed(version: TemplateVersion) -> bool:
    from portal.catalog.modules import files_on_disk
    from provisioning.workspace import module_hash

    if version.status != TemplateVersion.Status.PUBLISHED or version.module_content_id is None:
        return False
    files = files_on_disk(version)
    return bool(files) and module_hash(files) != version.module_content_id


def _publish_shipped_module(version: TemplateVersion) -> TemplateVersion:
    from django.db import transaction

    from portal.catalog.services import create_draft_from, publish_version

    with transaction.atomic():
        draft = create_draft_from(version=version, actor=None)
        return publish_version(version=draft, actor=None)


def ensure_prices() -> int:
    """Seed the price table with list prices; prices an admin already has are left alone."""
    rows = [(f"ec2:{t.name}", Price.Unit.HOUR, t.hourly_usd, f"EC2 {t.name}, on-demand Linux, us-east-1")
            for t in INSTANCE_TYPES.values()]
    rows += [(key, unit, usd, text) for key, (unit, usd, text) in OTHER_PRICES.items()]
    created = 0
    for key, unit, usd, text in rows:
        created += Price.objects.get_or_create(key=key, defaults={"unit": unit, "usd": usd, "description": text})[1]
    return created


def ensure_bundles() -> list[Bundle]:
    """Create the built-in bundles (after the templates) if they do not exist yet."""
    bundles = []
    for spec in BUNDLES:
        bundle, created = Bundle.objects.get_or_create(
            slug=spec["slug"], defaults={"name": spec["name"], "description": spec["description"]}
        )
        if created:
            for position, slug in enumerate(spec["templates"]):
                BundleItem.objects.create(bundle=bundle, template=ResourceTemplate.objects.get(slug=slug),
                                          position=position)
        bundles.append(bundle)
    return bundles
