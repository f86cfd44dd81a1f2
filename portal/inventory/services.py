from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied

from .models import ProvisionedResource


def default_lifetime_days(version) -> int | None:
    """The template version's default lifetime in days, if it sets one."""
    return version.default_lifetime_days or None


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


@transaction.atomic
def request_repo_upgrade(*, resource: ProvisionedResource, actor):
    """Queue an ``upgrade`` run that pushes a branch moving a repo behind its template to the newest
    published version; the team merges it (or resolves the listed conflicts) itself."""
    from portal.teams.selectors import is_member
    from provisioning.models import ACTIVE_RUN_STATES, Run
    from provisioning.services import queue_run

    from .selectors import repos_behind

    if not getattr(actor, "is_authenticated", False) or not (actor.is_staff or is_member(actor, resource.team)):
        raise PermissionDenied("Only the owning team or an admin can upgrade this repository.")
    resource = ProvisionedResource.objects.select_for_update().select_related(
        "template_version__template", "item__request").get(pk=resource.pk)
    if resource.status != ProvisionedResource.Status.ACTIVE or not repos_behind([resource]):
        raise ApplicationError(f"{resource.name} is not behind its template: there is nothing to upgrade.")
    if Run.objects.filter(item=resource.item, action=Run.Action.UPGRADE, status__in=ACTIVE_RUN_STATES).exists():
        raise ApplicationError(f"An upgrade of {resource.name} is already queued or running.")
    run = queue_run(item=resource.item, action=Run.Action.UPGRADE, actor=actor)
    record_event(actor=actor, verb="resource.upgrade_requested", target=resource.item.request,
                 data={"run": run.pk, "resource": resource.pk, "name": resource.name,
                       "from": resource.outputs.get("scaffold_version")})
    return run
