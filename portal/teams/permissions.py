"""Who may act for a modelling team: see its dashboard, ask for changes of what it owns, operate its runs."""

from portal.core.roles import is_platform_admin

from .selectors import is_member


def may_act_for_team(user, team) -> bool:
    """The team's members and platform admins — never ``is_staff`` alone."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_platform_admin(user) or is_member(user, team)
