"""The directory engine: a team's AD/LDAP group with the team's members."""

from __future__ import annotations

from django.conf import settings

from ..directory import DirectoryConfig, DirectoryGroups, render_group_name
from .base import EngineUnavailable, PlanSummary, RunContext


def directory() -> DirectoryGroups:
    options = {k: v for k, v in settings.PORTAL_DIRECTORY.items() if v not in (None, "")}
    if not options.get("server_uri"):
        raise EngineUnavailable("No directory is configured (PORTAL_DIRECTORY_URI); ask an admin.")
    return DirectoryGroups(DirectoryConfig(**options))


def group_name(item) -> str:
    return render_group_name(settings.PORTAL_GROUP_NAME_CONVENTION,
                             {"team": item.request.team.slug, "purpose": item.values["name"]})


def team_member_ids(team) -> list[str]:
    """Directory ids of the team's people: their usernames (the directory also matches email)."""
    return sorted(team.memberships.values_list("user__username", flat=True))


class DirectoryEngine:
    def plan(self, ctx: RunContext) -> PlanSummary:
        name = group_name(ctx.item)
        return PlanSummary(add=1, resources=[{"address": f"directory_group.{name}", "type": "directory_group",
                                              "actions": ["create"]}])

    def apply(self, ctx: RunContext) -> dict:
        item = ctx.item
        name = group_name(item)
        ctx.heartbeat(phase="apply")
        result = directory().ensure_group(name, item.values.get("description", ""), team_member_ids(item.request.team))
        ctx.log(f"portal: group {result.group_dn} {'created' if result.created else 'updated'} "
                f"with {len(result.members)} member(s)")
        for unknown in result.unknown_members:
            ctx.log(f"portal: WARNING {unknown} was not found in the directory and is not a member")
        for ambiguous in result.ambiguous_members:
            ctx.log(f"portal: WARNING {ambiguous} matches several directory entries and was not added")
        return {"group_name": name, "group_dn": result.group_dn, "member_count": len(result.members),
                "unknown_members": list(result.unknown_members) + list(result.ambiguous_members)}

    def destroy(self, ctx: RunContext) -> None:
        name = group_name(ctx.item)
        removed = directory().delete_group(name)
        ctx.log(f"portal: group {name} {'deleted' if removed else 'was already gone'}")
