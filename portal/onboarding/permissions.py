def can_view_request(user, request) -> bool:
    """Staff, the requesting team, and the steering teams that have a stage on it."""
    if user.is_staff:
        return True
    if request.team.memberships.filter(user=user).exists():
        return True
    return request.stages.filter(team__memberships__user=user).exists()
