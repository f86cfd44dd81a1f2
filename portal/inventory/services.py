from portal.audit.services import record_event

from .models import ProvisionedResource


def record_resource(*, item, outputs: dict) -> ProvisionedResource:
    """The item's apply succeeded: record (or refresh) what now exists."""
    resource, created = ProvisionedResource.objects.update_or_create(
        item=item,
        defaults={
            "team": item.request.team, "template_version": item.template_version,
            "kind": item.template_version.kind, "name": item.values.get("name", f"item-{item.pk}"),
            "outputs": outputs,
        },
    )
    record_event(actor=None, verb="resource.recorded", target=resource, data={"item": item.pk})
    return resource
