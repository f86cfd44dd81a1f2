from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.core.errors import ApplicationError
from portal.onboarding.services import bulk_approve, record_decision

from .delegations import create_delegation, end_delegation
from .forms import DecisionForm, DelegationForm, QueueFilterForm
from .models import ApprovalStage, Decision, Delegation
from .selectors import decorate, filtered_queue, queue_teams
from .sla import SLA_LABELS

PAGE_SIZE = 25
DONE = {Decision.Outcome.APPROVE: "approved", Decision.Outcome.REJECT: "rejected",
        Decision.Outcome.REQUEST_CHANGES: "sent back for changes"}


def _back(request, default="approvals:queue"):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


@login_required
def queue(request):
    now = timezone.now()
    filters = QueueFilterForm(request.GET or None, teams=queue_teams(request.user))
    stages = filtered_queue(request.user, now=now, **filters.filters())
    page = Paginator(stages, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = decorate(page.object_list, now=now)
    return render(request, "approvals/queue.html", {
        "page": page, "rows": rows, "filters": filters, "any_low_risk": any(row.low_risk for row in rows),
        "query": query.urlencode(), "sla_labels": SLA_LABELS,
    })


@login_required
@require_POST
def decide(request, pk):
    stage = get_object_or_404(ApprovalStage, pk=pk)
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
        results = bulk_approve(actor=request.user, stage_ids=ids, comment=request.POST.get("comment", ""))
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
            .select_related("from_user", "to_user")[:100])
    return render(request, "approvals/delegations.html", {"form": form, "delegations": mine, "now": timezone.now()},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def end(request, pk):
    delegation = get_object_or_404(Delegation, pk=pk)
    try:
        end_delegation(actor=request.user, delegation=delegation)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Delegation ended.")
    return redirect("approvals:delegations")
