from portal.audit.selectors import events_for

from .models import OnboardingRequest


def requests_visible_to(user):
    qs = OnboardingRequest.objects.select_related("team", "requester")
    return qs if user.is_staff else qs.filter(team__memberships__user=user).distinct()


def request_detail(pk: int):
    return (
        OnboardingRequest.objects.select_related("team", "requester")
        .prefetch_related("items__template_version__template", "stages__team", "stages__decisions__actor",
                          "stages__decisions__on_behalf_of")
        .get(pk=pk)
    )


def review_rounds(request) -> list[tuple[int, list]]:
    """The request's approval stages by review round, newest round first (earlier rounds are void)."""
    rounds: dict[int, list] = {}
    for stage in request.stages.all():
        rounds.setdefault(stage.round, []).append(stage)
    return sorted(rounds.items(), reverse=True)


def items_with_runs(request):
    """Items with their runs and each run's log, for the live progress fragment."""
    items = list(request.items.select_related("template_version__template").prefetch_related("runs"))
    for item in items:
        item.run_list = list(item.runs.all())
        for run in item.run_list:
            run.lines = list(run.log_lines.values_list("text", flat=True))
    return items


def timeline(request):
    """The request's audit events as sentences: who, when, what, comment."""
    from .timeline import describe_events

    return describe_events(events_for(request))
