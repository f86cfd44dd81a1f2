def can_view_request(user, request) -> bool:
    """Staff, the requesting team, and the steering teams that have a stage on it."""
    if user.is_staff:
        return True
    if request.team.memberships.filter(user=user).exists():
        return True
    return request.stages.filter(team__memberships__user=user).exists()


def can_operate_request(user, request) -> bool:
    """Cancel or retry provisioning: the requesting team and staff (not the approvers)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or request.team.memberships.filter(user=user).exists()
