from django.db.models import Prefetch, Q

from portal.audit.selectors import events_for
from portal.catalog.forms import ParameterForm, readable_values

from .models import OnboardingRequest, RequestStatus
from .outputs import latest_outputs


def requests_visible_to(user):
    """Requests of the user's teams (every request for staff); drafts only for whoever started them."""
    qs = OnboardingRequest.objects.select_related("team", "requester")
    qs = qs if user.is_staff else qs.filter(team__memberships__user=user).distinct()
    return qs.exclude(Q(status=RequestStatus.DRAFT) & ~Q(requester=user))


def request_list_for(user):
    """The list page: visible requests with the stages they wait for (``pending_stages``)."""
    from portal.approvals.models import ApprovalStage

    pending = ApprovalStage.objects.filter(status=ApprovalStage.Status.PENDING).select_related("team")
    return requests_visible_to(user).prefetch_related(Prefetch("stages", queryset=pending, to_attr="pending_stages"))


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
    """Items with their runs and each run's log, for the live progress fragment. Of the periodic drift
    checks only the newest is shown (the others are in the admin)."""
    items = list(request.items.select_related("template_version__template").prefetch_related("runs"))
    for item in items:
        runs = list(item.runs.all())
        last_check = next((run for run in reversed(runs) if run.action == "drift_check"), None)
        item.run_list = [run for run in runs if run.action != "drift_check" or run is last_check]
        for run in item.run_list:
            run.lines = list(run.log_lines.values_list("text", flat=True))
        item.ready_outputs = latest_outputs(item.run_list)
        item.answers = readable_values(ParameterForm(schema=item.template_version.parameter_schema), item.values)
    return items


def timeline(request):
    """The request's audit events as sentences: who, when, what, comment. The routine life of drift
    checks (queued, started, succeeded) is left out; what they found is there (``resource.drift_*``)."""
    from provisioning.models import Run

    from .timeline import describe_events

    events = events_for(request)
    checks = list(Run.objects.filter(item__request=request, action=Run.Action.DRIFT_CHECK).values_list("pk", flat=True))
    if checks:
        events = events.exclude(verb__in=["run.queued", "run.started", "run.succeeded"], data__run__in=checks)
    return describe_events(events)
