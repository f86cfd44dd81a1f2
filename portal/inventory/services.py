from datetime import timedelta

from django.utils import timezone

from portal.audit.services import record_event

from .models import ProvisionedResource


def default_lifetime_days(version) -> int | None:
    """The template version's default lifetime, if it declares one (a field, or the schema's
    ``x-default-lifetime-days`` until the catalog has a field for it)."""
    days = getattr(version, "default_lifetime_days", None) or version.parameter_schema.get("x-default-lifetime-days")
    return int(days) if days else None


def record_resource(*, item, outputs: dict) -> ProvisionedResource:
    """The item's apply succeeded: record (or refresh) what now exists. ``outputs`` come from the
    engine with sensitive values already sealed."""
    now = timezone.now()
    existing = ProvisionedResource.objects.filter(item=item, status=ProvisionedResource.Status.ACTIVE).first()
    days = default_lifetime_days(item.template_version)
    expires_at = existing.expires_at if existing else (now + timedelta(days=days) if days else None)
    resource, created = ProvisionedResource.objects.update_or_create(
        item=item,
        defaults={
            "team": item.request.team, "template_version": item.template_version,
            "kind": item.template_version.kind, "name": item.values.get("name", f"item-{item.pk}"),
            "outputs": outputs, "status": ProvisionedResource.Status.ACTIVE, "expires_at": expires_at,
            "destroyed_at": None,
        },
    )
    record_event(actor=None, verb="resource.recorded", target=resource, data={"item": item.pk})
    return resource


def record_destroyed(*, item) -> ProvisionedResource | None:
    """The item's resources were destroyed; the record stays, marked destroyed."""
    resource = ProvisionedResource.objects.filter(item=item).first()
    if resource is None:
        return None
    resource.status = ProvisionedResource.Status.DESTROYED
    resource.destroyed_at = timezone.now()
    resource.save(update_fields=["status", "destroyed_at", "updated_at"])
    record_event(actor=None, verb="resource.destroyed", target=resource, data={"item": item.pk})
    return resource
