from django.utils import timezone


def navigation(request):
    """What the navigation bar shows, by role."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "nav_is_approver": user.memberships.filter(team__kind="steering").exists()
        or user.delegations_received.filter(ends_at__gt=timezone.now()).exists(),
        "nav_is_admin": user.is_staff,
    }
