"""Who may change a team's webhooks and read their delivery log."""

from portal.core.roles import is_platform_admin


def can_manage_webhooks(user, team) -> bool:
    """The team's leads and platform admins."""
    return is_platform_admin(user) or team.memberships.filter(user=user, role="lead").exists()


def can_view_webhooks(user, team) -> bool:
    """Every member of the team (the delivery log) and platform admins."""
    return is_platform_admin(user) or team.memberships.filter(user=user).exists()
