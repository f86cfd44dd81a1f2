"""Keep the directory groups the portal created in step with the teams' members."""

from __future__ import annotations

import logging

from django.conf import settings

from portal.audit.services import record_event
from provisioning.directory import DirectoryUnavailable
from provisioning.engines.directory import directory as directory_for

from .models import ProvisionedResource


def directory():
    return directory_for(settings.PORTAL_DIRECTORY)


def team_member_ids(team) -> list[str]:
    """Directory ids of the team's people: their usernames (the directory also matches email)."""
    return sorted(team.memberships.values_list("user__username", flat=True))

log = logging.getLogger(__name__)


def directory_groups(team=None):
    qs = ProvisionedResource.objects.filter(
        kind="directory_group", status=ProvisionedResource.Status.ACTIVE, template_version__engine="directory"
    ).select_related("team")
    return qs.filter(team=team) if team is not None else qs


def sync_team_groups(team) -> list[dict]:
    """Set each of the team's groups to exactly the team's members; returns what changed."""
    changes = []
    for resource in directory_groups(team):
        result = directory().set_members(resource.outputs["group_name"], team_member_ids(team))
        change = {"group": result.group_dn, "added": list(result.added), "removed": list(result.removed),
                  "unknown": list(result.unknown_members)}
        record_event(actor=None, verb="directory_group.synced", target=resource, data=change)
        changes.append(change)
    return changes


def reconcile_groups(*, fix: bool | None = None) -> list[dict]:
    """Report members added or removed outside the portal; repair them when the admin setting says so."""
    fix = settings.PORTAL_DIRECTORY_FIX_DRIFT if fix is None else fix
    reports = []
    for resource in directory_groups():
        try:
            report = directory().reconcile(resource.outputs["group_name"], team_member_ids(resource.team), fix=fix)
        except DirectoryUnavailable as error:
            log.warning("directory unavailable while reconciling %s: %s", resource, error)
            raise
        if not report.in_sync:
            data = {"added_outside": list(report.added_outside), "removed_outside": list(report.removed_outside),
                    "fixed": report.fixed, "summary": report.describe()}
            record_event(actor=None, verb="directory_group.drift", target=resource, data=data)
            reports.append(data)
    return reports
