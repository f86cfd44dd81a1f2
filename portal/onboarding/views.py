from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.catalog.forms import ParameterForm
from portal.catalog.selectors import offered_version_for
from portal.core.errors import ApplicationError

from .forms import RequestDetailsForm
from .models import OnboardingRequest, RequestStatus
from .permissions import can_operate_request, can_view_request
from .rollout import cancel_provisioning, failed_item, has_active_runs, retry_provisioning
from .selectors import items_with_runs, request_detail, requests_visible_to, timeline
from .services import InvalidValues, submit_new_request

LIVE_STATES = {RequestStatus.APPROVED, RequestStatus.PROVISIONING, RequestStatus.DECOMMISSIONING}


@login_required
def request_list(request):
    return render(request, "onboarding/list.html", {"requests": requests_visible_to(request.user)[:200]})


@login_required
def new_request(request, slug):
    version = offered_version_for(slug)
    if version is None:
        raise Http404("No such template in the catalog")
    details = RequestDetailsForm(request.POST or None, user=request.user)
    params = ParameterForm(request.POST or None, schema=version.parameter_schema, prefix="v")
    if request.method == "POST" and details.is_valid() and params.is_valid():
        try:
            created = submit_new_request(
                actor=request.user, team=details.cleaned_data["team"], title=details.cleaned_data["title"],
                items=[(version, params.cleaned_values)],
            )
        except InvalidValues as error:
            for field, problems in error.errors.items():
                for problem in problems:
                    params.add_error(field if field in params.fields else None, problem)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Request #{created.pk} submitted for review.")
            return redirect("onboarding:detail", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    context = {"version": version, "details": details, "params": params,
               "no_team": not details.fields["team"].queryset.exists()}
    return render(request, "onboarding/new.html", context, status=status)


def _visible_request(request, pk) -> OnboardingRequest:
    try:
        onboarding_request = request_detail(pk)
    except OnboardingRequest.DoesNotExist:
        raise Http404("No such request")
    if not can_view_request(request.user, onboarding_request):
        raise Http404("No such request")  # don't reveal that it exists
    return onboarding_request


@login_required
def request_page(request, pk):
    onboarding_request = _visible_request(request, pk)
    return render(request, "onboarding/detail.html", {
        "req": onboarding_request, "items": items_with_runs(onboarding_request),
        "events": timeline(onboarding_request), **_run_state(request, onboarding_request),
    })


@login_required
def progress(request, pk):
    onboarding_request = _visible_request(request, pk)
    return render(request, "onboarding/_progress.html", {
        "req": onboarding_request, "items": items_with_runs(onboarding_request),
        **_run_state(request, onboarding_request),
    })


def _run_state(request, onboarding_request) -> dict:
    """What the progress fragment needs besides the items: live polling, failure, buttons."""
    running = has_active_runs(onboarding_request)
    return {
        "live": onboarding_request.status in LIVE_STATES or running,
        "running": running,
        "failure": failed_item(onboarding_request),
        "can_operate": can_operate_request(request.user, onboarding_request),
    }


@login_required
@require_POST
def cancel(request, pk):
    onboarding_request = _visible_request(request, pk)
    try:
        count = cancel_provisioning(request=onboarding_request, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Cancelled {count} run{'s' if count != 1 else ''}; Terraform is being stopped.")
    return redirect("onboarding:detail", pk=pk)


@login_required
@require_POST
def retry(request, pk):
    onboarding_request = _visible_request(request, pk)
    try:
        retry_provisioning(request=onboarding_request, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Provisioning starts again from the first item that does not exist.")
    return redirect("onboarding:detail", pk=pk)
