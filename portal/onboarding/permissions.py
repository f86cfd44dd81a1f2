def can_view_request(user, request) -> bool:
    """Staff, the requesting team, the steering teams that have a stage on it, and their delegates;
    a draft only its requester."""
    from portal.approvals.delegations import delegator_ids

    if request.status == "draft":
        return request.requester_id == user.pk  # a draft is nobody else's business yet
    if user.is_staff:
        return True
    if request.team.memberships.filter(user=user).exists():
        return True
    people = [user.pk, *delegator_ids(user)]
    return request.stages.filter(team__memberships__user_id__in=people).exists()


def can_operate_request(user, request) -> bool:
    """Cancel or retry provisioning: the requesting team and admins (not the approvers)."""
    from portal.teams.permissions import can_operate_team

    return can_operate_team(user, request.team)
