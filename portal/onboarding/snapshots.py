"""What a run is asked to do, frozen when it is queued: engine, module content, variables.

The worker reads nothing else, so a run row tells exactly what was applied. Variables are built here
from the item (requester values, values fed by earlier items, admin-fixed values, ownership tags);
runs on what already exists (destroys, drift checks, reconciles) take the variables of the item's
last successful apply, so they work on what was really applied. Values fed from another item's
sensitive output stay sealed in the snapshot; the worker opens them for the engine only.
"""

from __future__ import annotations

import re

from django.conf import settings

from portal.catalog.models import PORTAL_SET_VARIABLES
from portal.catalog.modules import frozen_module
from provisioning.directory import render_group_name
from provisioning.engines.scaffold import repo_name
from provisioning.models import Run, RunStatus
from provisioning.services import queue_run

from .bundles import FEEDS, inputs_for, team_access_inputs

APPLIES = Run.Action.APPLY
DECLARED_VARIABLE = re.compile(r'^variable\s+"([A-Za-z0-9_-]+)"', flags=re.MULTILINE)


def workspace_of(item) -> str:
    """One working dir and one state per item: its runs never overlap (provisioning serialises them)."""
    return f"item-{item.pk}"


def ownership_tags(item) -> dict[str, str]:
    return {
        "portal:team": item.request.team.slug,
        "portal:request": str(item.request_id),
        "portal:item": str(item.pk),
    }


def terraform_variables(item, values: dict, inputs: dict | None = None) -> dict:
    """Requester values (minus portal-only answers) and values fed by earlier items (they win over
    the requester's), then admin-fixed values (they win over both), then the ownership tags. A stopped
    machine stays stopped: its declared ``instance_state`` goes with every apply unless the run sets it. A
    portal-set variable (``PORTAL_SET_VARIABLES``) goes only to a module that declares it: a version frozen
    before its module had it never sees it."""
    variables = item.template_version.engine_values({**values, **(inputs or {})})
    if "instance_state" not in variables and declared_power(item) == "stopped":
        variables["instance_state"] = "stopped"
    portal_set = PORTAL_SET_VARIABLES & variables.keys()
    if portal_set:
        for name in portal_set - declared_variables(item.template_version):
            del variables[name]
    return {**variables, "tags": ownership_tags(item)}


def declared_power(item) -> str:
    """The instance state a machine declares ("running" for anything that is not a stopped machine)."""
    from portal.inventory.models import ProvisionedResource

    state = ProvisionedResource.objects.filter(item=item).values_list("power_state", flat=True).first()
    return state or "running"


def declared_variables(version) -> set[str]:
    """The variables the version's frozen module declares."""
    content = frozen_module(version)
    return {name for text in (content.files.values() if content else ()) for name in DECLARED_VARIABLE.findall(text)}


def scaffold_variables(item, *, upgrade: bool = False) -> dict:
    """The repo's name and the scaffold's answers: the requester's values are data for its questions;
    the portal adds the team (and the owner's e-mail when the form had none)."""
    request, values, version = item.request, item.values, item.template_version
    requester, team = request.requester, request.team.slug
    fallback_email = requester.email or f"{requester.username}@invalid"
    answers = {k: v for k, v in values.items() if k != "name"}
    answers["team"] = team
    answers.setdefault("owner_email", fallback_email)  # what the requester typed wins
    answers.setdefault("project_name", values["name"])
    variables = {"repo_name": repo_name(team, values["name"]), "team": team, "answers": answers,
                 "version": version.number, "co_author": [str(requester), fallback_email],
                 "request": request.pk, "description": values.get("description", "")}
    if upgrade:
        newest = version.template.published_version()
        content = frozen_module(newest) if newest else None
        variables["to"] = {"version": newest.number, "module": newest.module,
                           "module_content": content.sha256 if content else None} if newest else None
    return variables


def directory_variables(item) -> dict:
    team = item.request.team
    name = render_group_name(settings.PORTAL_GROUP_NAME_CONVENTION, {"team": team.slug, "purpose": item.values["name"]})
    return {"group_name": name, "description": item.values.get("description", ""),
            "members": sorted(team.memberships.values_list("user__username", flat=True))}


def last_applied(item) -> Run | None:
    """The item's newest successful apply: what exists in the cloud was made with its snapshot."""
    return (Run.objects.filter(item=item, action=APPLIES, status=RunStatus.SUCCEEDED)
            .exclude(purpose=Run.Purpose.COMPENSATION).order_by("-pk").first())


def _on_what_exists(action: str, purpose: str) -> bool:
    return action in (Run.Action.DESTROY, Run.Action.DRIFT_CHECK) or purpose in (
        Run.Purpose.RECONCILE, Run.Purpose.DECOMMISSION)


def variables_for(item, *, action: str, purpose: str, values: dict | None = None) -> dict:
    """The snapshot's variables (raises ``bundles.MissingInput`` when a fed value is not there yet)."""
    engine = item.template_version.engine
    if _on_what_exists(action, purpose):
        applied = last_applied(item)
        if applied is not None and applied.variables:
            return applied.variables
    if engine == "scaffold":
        return scaffold_variables(item, upgrade=action == Run.Action.UPGRADE)
    if engine == "directory":
        return directory_variables(item)
    # The team's role comes only from the team's directory group, never from values.
    given = {k: v for k, v in (values if values is not None else item.values).items() if k != "team_role_arn"}
    if purpose in (Run.Purpose.MODIFY, Run.Purpose.POWER):  # new values; what earlier items fed stays as applied
        applied_run = last_applied(item)
        applied = (applied_run.variables if applied_run else None) or {}
        fed = set(FEEDS.get(item.template_version.kind, {}))
        inputs = {k: v for k, v in applied.items() if k in fed}
        return terraform_variables(item, given, {**inputs, **team_access_inputs(item)})
    return terraform_variables(item, given, {**team_access_inputs(item), **inputs_for(item)})


def queue_item_run(*, item, action: str, actor, purpose: str = Run.Purpose.PROVISION, change=None,
                   values: dict | None = None) -> Run:
    """Queue a run of ``item`` with its snapshot (call inside the transaction that decided it)."""
    version = item.template_version
    return queue_run(workspace=workspace_of(item), item=item, change=change, action=action, purpose=purpose,
                     engine=version.engine, module=version.module, module_content=frozen_module(version),
                     variables=variables_for(item, action=action, purpose=purpose, values=values), actor=actor)
