from django.db.models import Prefetch, Q

from portal.audit.selectors import events_for
from portal.catalog.forms import ParameterForm, readable_values
from portal.core.roles import is_platform_admin
from portal.inventory.connect import how_to_connect

from .models import OnboardingRequest, RequestStatus
from .outputs import latest_outputs, latest_raw_outputs
from .upgrade_results import clone_url_of, upgrade_report


def requests_visible_to(user):
    """Requests of the user's teams (every request for a platform admin); drafts only for whoever started them."""
    qs = OnboardingRequest.objects.select_related("team", "requester")
    qs = qs if is_platform_admin(user) else qs.filter(team__memberships__user=user).distinct()
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


def values_asked(request) -> list[tuple]:
    """``[(version, values)]`` a request asks for: its items, or (a change request) the resources
    it changes, with their new values where it changes them."""
    if request.kind == "new":
        items = request.items.select_related("template_version__template")
        return [(item.template_version, item.values) for item in items]
    changes = request.changes.select_related("resource__item__template_version__template")
    return [(change.item.template_version, change.values if change.values is not None else change.item.values)
            for change in changes]


def request_estimate(request):
    """What a request's items cost together (a change request: what the changed resources will
    cost; nothing for a decommission)."""
    from portal.catalog.pricing import estimate_items

    if request.kind == "decommission":
        return estimate_items([])
    return estimate_items(values_asked(request))


def review_rounds(request) -> list[tuple[int, list]]:
    """The request's approval stages by review round, newest round first (earlier rounds are void)."""
    rounds: dict[int, list] = {}
    for stage in request.stages.all():
        rounds.setdefault(stage.round, []).append(stage)
    return sorted(rounds.items(), reverse=True)


def items_with_runs(request):
    """Items with their runs and each run's log, for the live progress fragment. A change request
    shows the items it changes (``item.change``) with the runs carrying out its changes. Of the
    periodic drift checks only the newest is shown (the others are in the admin)."""
    from portal.inventory.models import ProvisionedResource

    if request.kind != "new":
        return _changed_items(request)
    items = list(request.items.select_related("template_version__template").prefetch_related("runs"))
    resources = {r.item_id: r for r in ProvisionedResource.objects.filter(item__request=request)
                 .select_related("template_version__template")}
    for item in items:
        runs = list(item.runs.all())
        last_check = next((run for run in reversed(runs) if run.action == "drift_check"), None)
        item.run_list = [run for run in runs if run.action != "drift_check" or run is last_check]
        item.inventory = resources.get(item.pk)
        _with_details(item)
    return items


def _changed_items(request):
    items = []
    for change in request.changes.select_related("resource__item__template_version__template", "resource"):
        item = change.item
        item.change, item.inventory = change, change.resource
        item.run_list = list(change.runs.all())
        if change.values is not None:
            form = ParameterForm(schema=item.template_version.parameter_schema)
            before = dict(readable_values(form, change.previous_values or {}))
            after = readable_values(form, change.values)
            item.value_changes = [(label, before.get(label, "—"), value) for label, value in after
                                  if before.get(label) != value]
        _with_details(item)
        items.append(item)
    return items


def _with_details(item) -> None:
    for run in item.run_list:
        run.lines = list(run.log_lines.values_list("text", flat=True))
    exists = item.status == "active" and (item.inventory is None or item.inventory.status == "active")
    outputs = latest_outputs(item.run_list)
    item.ready_outputs = outputs if exists else []  # only what exists is "ready"
    item.connect = how_to_connect(item.template_version.kind, latest_raw_outputs(item.run_list)) if exists else None
    for run in item.run_list:  # upgrade runs of a repo: the branch to merge, conflicts, where to clone
        run.upgrade = upgrade_report(run, clone_url=clone_url_of(outputs))
    item.fed = fed_values(item)
    values = {**item.values, **{name: value for name, value, _ in item.fed}}
    item.answers = readable_values(ParameterForm(schema=item.template_version.parameter_schema), values)


def fed_values(item) -> list[tuple[str, object, str]]:
    """``[(variable, value, source)]`` an earlier item fed this one, as the newest run of it got them
    (sensitive ones masked): what the engine really got, not what the requester typed."""
    from portal.core.secrets import masked

    from .bundles import FEEDS

    feeds = FEEDS.get(item.template_version.kind, {})
    run = next((run for run in reversed(item.run_list) if run.action in ("apply", "plan") and run.variables), None)
    if not feeds or run is None:
        return []
    given = masked({name: run.variables[name] for name in feeds if name in run.variables})
    return [(name, value, feeds[name][0]) for name, value in given.items()]


def change_requests_of(request):
    """Change requests (decommission, extension, new values) of the resources ``request`` created."""
    return (OnboardingRequest.objects.filter(changes__resource__item__request=request).distinct()
            .select_related("requester").order_by("-created_at"))


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
