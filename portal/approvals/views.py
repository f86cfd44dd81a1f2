from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.core.errors import ApplicationError

from .forms import DecisionForm
from .models import ApprovalStage
from .selectors import queue_for
from .services import record_decision


@login_required
def queue(request):
    return render(request, "approvals/queue.html", {"stages": queue_for(request.user)[:200]})


@login_required
@require_POST
def decide(request, pk):
    stage = get_object_or_404(ApprovalStage, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or reject.")
        return redirect("approvals:queue")
    try:
        record_decision(stage=stage, actor=request.user, outcome=form.cleaned_data["outcome"],
                        comment=form.cleaned_data["comment"])
    except ApplicationError as error:
        messages.error(request, f"Request #{stage.request_id}: {error.message}")
        return redirect("approvals:queue")
    verb = "approved" if form.cleaned_data["outcome"] == "approve" else "rejected"
    messages.success(request, f"Request #{stage.request_id} {verb}.")
    return redirect("approvals:queue")
