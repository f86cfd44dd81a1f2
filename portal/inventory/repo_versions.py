"""Notice when a team merged the portal's upgrade branch: read each repo's ``main`` on its remote and
record the scaffold version it names, so the dashboard stops listing the repo as behind."""

from __future__ import annotations

import logging

from provisioning.config import scaffold_settings
from provisioning.engines.base import EngineUnavailable
from provisioning.engines.scaffold import git_remote as remote_for
from provisioning.engines.scaffold import repo_name
from provisioning.scaffold import ScaffoldError, branch_head, branch_version

from .models import ProvisionedResource
from .services import record_scaffold_version


def git_remote():
    return remote_for(scaffold_settings())

log = logging.getLogger(__name__)


def scaffolded_repos(resource_pks=None):
    qs = ProvisionedResource.objects.filter(
        kind="repo", status=ProvisionedResource.Status.ACTIVE, template_version__engine="scaffold"
    ).select_related("team", "item__request__team").order_by("pk")
    return qs.filter(pk__in=resource_pks) if resource_pks is not None else qs


def check_repo_versions(*, resource_pks=None) -> list[dict]:
    """Check every active scaffolded repo (or those listed); returns what changed. One repo that
    cannot be read is logged and skipped, the others are still checked."""
    repos = list(scaffolded_repos(resource_pks))
    if not repos:
        return []
    try:
        remote = git_remote()
    except EngineUnavailable as error:  # a settings problem the admin fixes; the repo runs report it too
        log.warning("cannot check repo versions: %s", error)
        return []
    changes = []
    for resource in repos:
        try:
            change = check_repo_version(resource, remote=remote)
        except ScaffoldError as error:
            log.warning("cannot read the scaffold version of %s: %s", resource, error)
            continue
        if change:
            changes.append(change)
    return changes


def check_repo_version(resource: ProvisionedResource, *, remote) -> dict | None:
    """Read ``main`` of one repo; a ``main`` already checked at the same commit is not fetched again."""
    name = repo_name(resource.team.slug, resource.item.values["name"])
    head = branch_head(remote, name)
    outputs = resource.outputs or {}
    if head is None or head == outputs.get("scaffold_checked_commit"):
        return None
    found = branch_version(remote, name)
    if found is None:  # main went away between the two reads
        return None
    before = outputs.get("scaffold_version")
    updated = record_scaffold_version(resource=resource, version=found.ref, main_sha=found.commit_sha,
                                      problem=found.problem)
    after = updated.outputs.get("scaffold_version")
    if found.problem:
        log.warning("%s: %s", name, found.problem)
    return {"resource": resource.pk, "from": before, "to": after} if after != before else None
