from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.pagination import paginate
from portal.core.redirects import redirect_back
from portal.onboarding.permissions import can_view_request
from portal.onboarding.services import bulk_approve, record_decision

from .delegations import create_delegation, end_delegation, may_end_delegation
from .forms import DecisionForm, DelegationForm, QueueFilterForm
from .models import ApprovalStage, Decision, Delegation
from .selectors import decorate, filtered_queue, queue_teams
from .services import check_may_decide
from .sla import SLA_LABELS

PAGE_SIZE = 25
DONE = {Decision.Outcome.APPROVE: "approved", Decision.Outcome.REJECT: "rejected",
        Decision.Outcome.REQUEST_CHANGES: "sent back for changes"}


def _back(request):
    return redirect_back(request, "approvals:queue")


def _visible_stage(user, pk) -> ApprovalStage:
    """The stage if ``user`` may see its request; otherwise the same 404 as a stage that does not exist."""
    stage = ApprovalStage.objects.select_related("request__team", "team").filter(pk=pk).first()
    if stage is None or not can_view_request(user, stage.request):
        raise Http404("No such approval stage")
    return stage


@login_required
@require_safe
def queue(request):
    now = timezone.now()
    filters = QueueFilterForm(request.GET or None, teams=queue_teams(request.user))
    stages = filtered_queue(request.user, now=now, **filters.filters())
    pager = paginate(request, stages, noun=("stage you may decide", "stages you may decide"), per_page=PAGE_SIZE)
    rows = decorate(pager.rows, now=now)
    return render(request, "approvals/queue.html", {
        "pager": pager, "rows": rows, "filters": filters, "any_low_risk": any(row.low_risk for row in rows),
        "sla_labels": SLA_LABELS,
    })


@login_required
@require_POST
def decide(request, pk):
    stage = _visible_stage(request.user, pk)
    try:  # who may decide, before anything about the stage or the form is said
        check_may_decide(stage=stage, actor=request.user)
    except PermissionDenied as error:
        raise Forbidden(error.message) from error
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve, reject or request changes.")
        return _back(request)
    outcome = form.cleaned_data["outcome"]
    try:
        record_decision(stage=stage, actor=request.user, outcome=outcome, comment=form.cleaned_data["comment"])
    except ApplicationError as error:
        messages.error(request, f"Request #{stage.request_id}: {error.message}")
        return _back(request)
    messages.success(request, f"Request #{stage.request_id} {DONE[outcome]}.")
    return _back(request)


@login_required
@require_POST
def bulk(request):
    ids = [int(value) for value in request.POST.getlist("stages") if value.isdigit()]
    if not ids:
        messages.error(request, "Tick the low-risk requests to approve.")
        return _back(request)
    try:
        results = bulk_approve(actor=request.user, stage_ids=ids, comment=request.POST.get("comment", ""),
                               may_see=lambda stage: can_view_request(request.user, stage.request))
    except ApplicationError as error:
        messages.error(request, error.message)
        return _back(request)
    for result in results:
        label = f"Request #{result.request_id}" if result.request_id else f"Stage {result.stage_id}"
        (messages.success if result.ok else messages.error)(request, f"{label}: {result.message}")
    return _back(request)


@login_required
def delegations(request):
    form = DelegationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            create_delegation(actor=request.user, from_user=request.user, to_user=data["to_user"],
                              starts_at=data["starts_at"], ends_at=data["ends_at"], reason=data["reason"])
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{data['to_user']} decides for you until {data['ends_at']:%Y-%m-%d %H:%M}.")
            return redirect("approvals:delegations")
    mine = (Delegation.objects.filter(Q(from_user=request.user) | Q(to_user=request.user))
            .select_related("from_user", "to_user").order_by("-ends_at", "-id"))
    pager = paginate(request, mine, noun=("delegation", "delegations"), per_page=PAGE_SIZE)
    return render(request, "approvals/delegations.html", {"form": form, "pager": pager, "now": timezone.now()},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def end(request, pk):
    delegation = Delegation.objects.select_related("from_user", "to_user").filter(pk=pk).first()
    if delegation is None or not may_end_delegation(request.user, delegation):
        raise Http404("No such delegation")  # someone else's delegation is none of your business
    try:
        end_delegation(actor=request.user, delegation=delegation)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Delegation ended.")
    return redirect("approvals:delegations")
