"""Which steering teams must decide a request, and why."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from portal.core.errors import ApplicationError
from portal.teams.models import Team


@dataclass(frozen=True)
class StageSpec:
    team: Team
    reason: str


def stages_for(request) -> list[StageSpec]:
    slug = settings.PORTAL_DEFAULT_STEERING_TEAM
    team = Team.objects.filter(slug=slug, kind=Team.Kind.STEERING).first()
    if team is None:
        raise ApplicationError(f"No steering team '{slug}' exists to review requests; ask an admin.")
    return [StageSpec(team=team, reason="Every request is reviewed by MLOps enablement.")]
