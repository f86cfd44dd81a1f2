from django.conf import settings
from django.utils import timezone

from portal.core.roles import is_platform_admin


def navigation(request):
    """What the navigation bar shows, by role: requesters' teams, approvers' queue, admins' admin."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    return {
        "nav_is_approver": user.memberships.filter(team__kind="steering").exists()
        or user.named_stages.filter(status="pending").exists()  # a data owner with an access request to decide
        or user.delegations_received.filter(ends_at__gt=timezone.now()).exists(),
        # The admin shortcuts: for platform admins who can also pass the Django admin's door (is_staff).
        "nav_is_admin": user.is_staff and is_platform_admin(user),
        "nav_teams": [m.team for m in user.memberships.filter(team__kind="modelling").select_related("team")
                      .order_by("team__name")],
        "nav_is_migration_lead": user.memberships.filter(team__slug=settings.PORTAL_MIGRATION_TEAM).exists()
        or is_platform_admin(user),
        "nav_section": _section(match),
    }


def _section(match) -> str:
    """The navigation entry a page belongs to: composing a request belongs to the catalog."""
    if match is None:
        return ""
    if match.namespace == "onboarding" and match.url_name in ("new", "new_bundle"):
        return "catalog"
    return match.namespace
