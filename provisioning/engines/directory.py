"""The directory engine: a team's AD/LDAP group with the team's members.

The run's snapshot holds ``group_name``, ``description`` and ``members`` (directory ids of the
team's people when the run was queued). No Django imports.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..directory import DirectoryConfig, DirectoryGroups
from .base import EngineUnavailable, PlanSummary, RunContext, RunResult


def directory(config: Mapping) -> DirectoryGroups:
    options = {k: v for k, v in config.items() if v not in (None, "")}
    if not options.get("server_uri"):
        raise EngineUnavailable("No directory is configured (PORTAL_DIRECTORY_URI); ask an admin.")
    return DirectoryGroups(DirectoryConfig(**options))


class DirectoryEngine:
    def plan(self, ctx: RunContext) -> RunResult:
        name = ctx.spec.variables["group_name"]
        summary = PlanSummary(add=1, resources=[{"address": f"directory_group.{name}", "type": "directory_group",
                                                 "actions": ["create"]}])
        return RunResult(plan_summary=summary.as_dict())

    def apply(self, ctx: RunContext) -> RunResult:
        v = ctx.spec.variables
        name = v["group_name"]
        ctx.heartbeat(phase="apply")
        result = directory(ctx.settings.directory).ensure_group(name, v.get("description", ""), list(v["members"]))
        ctx.log(f"portal: group {result.group_dn} {'created' if result.created else 'updated'} "
                f"with {len(result.members)} member(s)")
        for unknown in result.unknown_members:
            ctx.log(f"portal: WARNING {unknown} was not found in the directory and is not a member")
        for ambiguous in result.ambiguous_members:
            ctx.log(f"portal: WARNING {ambiguous} matches several directory entries and was not added")
        return RunResult(outputs={"group_name": name, "group_dn": result.group_dn,
                                  "member_count": len(result.members),
                                  "unknown_members": list(result.unknown_members) + list(result.ambiguous_members)})

    def destroy(self, ctx: RunContext) -> RunResult:
        name = ctx.spec.variables["group_name"]
        removed = directory(ctx.settings.directory).delete_group(name)
        ctx.log(f"portal: group {name} {'deleted' if removed else 'was already gone'}")
        return RunResult()
