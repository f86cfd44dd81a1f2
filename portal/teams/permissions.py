"""Who may act for a modelling team: see its dashboard, ask for changes of what it owns, operate its runs."""

from portal.core.roles import is_platform_admin

from .selectors import is_member


def may_act_for_team(user, team) -> bool:
    """The team's members and platform admins — never ``is_staff`` alone."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_platform_admin(user) or is_member(user, team)


def modelling_team_for(user, slug: str):
    """The modelling team ``slug`` if ``user`` may act for it, else None — callers answer exactly as for
    a team that does not exist."""
    from .models import Team

    team = Team.objects.filter(slug=slug, kind=Team.Kind.MODELLING).first()
    return team if team is not None and may_act_for_team(user, team) else None
