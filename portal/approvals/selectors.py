from portal.onboarding.models import RequestStatus

from .models import ApprovalStage


def queue_for(user):
    """Pending stages ``user`` may decide: their teams', not their own requests."""
    return (
        ApprovalStage.objects.filter(
            status=ApprovalStage.Status.PENDING,
            request__status=RequestStatus.IN_REVIEW,
            team__memberships__user=user,
        )
        .exclude(request__requester=user)
        .exclude(request__stages__decisions__actor=user)
        .select_related("request", "request__team", "request__requester", "team")
        .order_by("request__submitted_at")
        .distinct()
    )
