"""Who may see a request and who may operate it. Platform admins (``core.roles``) see everything;
``is_staff`` alone grants nothing here."""

from portal.teams.permissions import may_act_for_team


def can_view_request(user, request) -> bool:
    """Platform admins, the requesting team, the steering teams that have a stage on it, and their
    delegates; a draft only its requester."""
    from portal.approvals.delegations import delegator_ids

    if not getattr(user, "is_authenticated", False):
        return False
    if request.status == "draft":
        return request.requester_id == user.pk  # a draft is nobody else's business yet
    if may_act_for_team(user, request.team):
        return True
    people = [user.pk, *delegator_ids(user)]
    return request.stages.filter(team__memberships__user_id__in=people).exists()


def can_operate_request(user, request) -> bool:
    """Cancel or retry provisioning, drift buttons: the requesting team and platform admins (not the approvers)."""
    return may_act_for_team(user, request.team)

