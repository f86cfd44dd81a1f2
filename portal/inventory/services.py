from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event

from .models import ProvisionedResource


def default_lifetime_days(version) -> int | None:
    """The template version's default lifetime in days, if it sets one."""
    return version.default_lifetime_days or None


def record_resource(*, item, outputs: dict) -> ProvisionedResource:
    """The item's apply succeeded: record (or refresh) what now exists. ``outputs`` come from the
    engine with sensitive values already sealed."""
    now = timezone.now()
    existing = ProvisionedResource.objects.filter(item=item, status=ProvisionedResource.Status.ACTIVE).first()
    days = getattr(item, "lifetime_days", None) or default_lifetime_days(item.template_version)
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
def record_scaffold_version(*, resource: ProvisionedResource, version: str | None, main_sha: str,
                            problem: str = "") -> ProvisionedResource:
    """A worker read the repo's ``main``: remember the commit it checked and, when ``main`` names a
    scaffold version (``vN``) other than the recorded one, record it (the team merged an upgrade)."""
    from .selectors import version_number

    resource = ProvisionedResource.objects.select_for_update().get(pk=resource.pk)
    outputs = dict(resource.outputs or {})
    before = outputs.get("scaffold_version")
    outputs.update(scaffold_checked_commit=main_sha, scaffold_checked_at=timezone.now().isoformat())
    if problem:
        outputs["scaffold_check_problem"] = problem[:300]
    else:
        outputs.pop("scaffold_check_problem", None)
    changed = version is not None and version_number(version) is not None and version != before
    if changed:
        outputs["scaffold_version"] = version
    resource.outputs = outputs
    resource.save(update_fields=["outputs", "updated_at"])
    if changed:
        record_event(actor=None, verb="resource.scaffold_version_changed", target=resource,
                     data={"name": resource.name, "from": before, "to": version, "main": main_sha})
    return resource


def schedule_version_check(*, team, resources, now=None, min_age: timedelta = timedelta(minutes=1)) -> bool:
    """Ask a worker to re-read ``main`` of these repos (the web process runs no git) when one was not
    checked within ``min_age``; at most one check per team and ``min_age``. True when one was sent."""
    from django.core.cache import cache

    from .selectors import version_checked_at
    from .tasks import check_repo_versions_task

    now = now or timezone.now()
    checked = {r.pk: version_checked_at(r) for r in resources}
    stale = [r for r in resources if checked[r.pk] is None or now - checked[r.pk] >= min_age]
    if not stale or not cache.add(f"inventory:repo-version-check:{team.pk}", True,
                                  timeout=int(min_age.total_seconds())):
        return False
    pks = [r.pk for r in stale]
    transaction.on_commit(lambda: check_repo_versions_task.delay(resource_pks=pks))
    return True
