from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from portal.catalog.forms import ParameterForm
from portal.catalog.pricing import estimate_items
from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.pagination import paginate

from .details import InvalidDetails
from .forms import ReviewDetailsForm
from .models import EDITABLE_STATES, OnboardingRequest, RequestStatus
from .permissions import can_operate_request, can_view_request
from .revisions import revise_request
from .selectors import (
    change_requests_of,
    items_with_runs,
    request_detail,
    request_estimate,
    request_list_for,
    review_rounds,
    timeline,
    values_asked,
)
from .services import (
    InvalidValues,
    cancel_fulfilment,
    failed_item,
    has_active_runs,
    may_change,
    retry_fulfilment,
    withdraw_request,
    withdrawable,
)
from .wizard import show_errors

LIST_PAGE_SIZE = 50
LIVE_STATES = {RequestStatus.APPROVED, RequestStatus.PROVISIONING, RequestStatus.DECOMMISSIONING}


@login_required
@require_safe
def request_list(request):
    """The requests of my teams, and my drafts: each list paginated, with how many there are."""
    visible = request_list_for(request.user).order_by("-created_at", "-id")
    return render(request, "onboarding/list.html", {
        "drafts": paginate(request, visible.filter(status=RequestStatus.DRAFT), noun=("draft", "drafts"),
                           param="drafts_page", per_page=LIST_PAGE_SIZE),
        "requests": paginate(request, visible.exclude(status=RequestStatus.DRAFT), noun=("request", "requests"),
                             per_page=LIST_PAGE_SIZE),
    })


def _visible_request(request, pk) -> OnboardingRequest:
    try:
        onboarding_request = request_detail(pk)
    except OnboardingRequest.DoesNotExist:
        raise Http404("No such request")
    if not can_view_request(request.user, onboarding_request):
        raise Http404("No such request")  # don't reveal that it exists
    return onboarding_request


@login_required
@require_safe
def request_page(request, pk):
    onboarding_request = _visible_request(request, pk)
    if onboarding_request.status == RequestStatus.DRAFT:
        return redirect("onboarding:draft", pk=pk)
    return render(request, "onboarding/detail.html", {
        "req": onboarding_request, "items": items_with_runs(onboarding_request),
        "events": timeline(onboarding_request), **_run_state(request, onboarding_request),
        "rounds": review_rounds(onboarding_request),
        "may_edit": onboarding_request.requester_id == request.user.pk
        and onboarding_request.status in EDITABLE_STATES,
        "may_withdraw": onboarding_request.requester_id == request.user.pk and withdrawable(onboarding_request),
        "estimate": request_estimate(onboarding_request),
        "savings": estimate_items(values_asked(onboarding_request)) if onboarding_request.kind == "decommission"
        else None,
        "change_requests": change_requests_of(onboarding_request) if onboarding_request.kind == "new" else [],
        "may_decommission": onboarding_request.kind == "new" and may_change(request.user, onboarding_request.team)
        and onboarding_request.items.filter(status="active").exists(),
    })


@login_required
def edit_request(request, pk):
    """The requester changes values and details, and resubmits: earlier approvals become void."""
    onboarding_request = _visible_request(request, pk)
    if onboarding_request.requester_id != request.user.pk:
        raise Forbidden("Only the requester can edit this request.")
    if onboarding_request.kind != "new":
        messages.error(request, "A change request is not edited: withdraw it and ask again.")
        return redirect("onboarding:detail", pk=pk)
    if onboarding_request.data_owner_id is not None:
        messages.error(request, "A dataset access request is not edited: withdraw it and ask again on the "
                                "dataset's page.")
        return redirect("onboarding:detail", pk=pk)
    if onboarding_request.status not in EDITABLE_STATES:
        messages.error(request, f"A request that is {onboarding_request.get_status_display().lower()} "
                                "cannot be edited.")
        return redirect("onboarding:detail", pk=pk)
    data = request.POST if request.method == "POST" else None
    items = list(onboarding_request.items.select_related("template_version__template"))
    for item in items:
        item.form = ParameterForm(data, schema=item.template_version.parameter_schema, prefix=f"item{item.pk}",
                                  initial=item.values)
    details = ReviewDetailsForm(data, initial=ReviewDetailsForm.initial_for(onboarding_request))
    if data is not None and details.is_valid() and all([item.form.is_valid() for item in items]):
        try:
            revise_request(request=onboarding_request, actor=request.user, details=details.details(),
                           item_values={item.pk: item.form.cleaned_values for item in items},
                           comment=request.POST.get("comment", "")[:2000])
        except InvalidValues as error:
            show_errors(items[error.position].form, error.errors)
        except InvalidDetails as error:
            show_errors(details, error.errors)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Request #{pk} resubmitted; earlier approvals no longer count.")
            return redirect("onboarding:detail", pk=pk)
    return render(request, "onboarding/edit.html", {"req": onboarding_request, "items": items, "details": details},
                  status=400 if data is not None else 200)


@login_required
@require_safe
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


def _act(request, pk, service, success) -> object:
    """A button on the request page: call ``service``; say how it went, or why it was refused (a refusal
    of the person — the service checks who first — is a 403 page, like every permission check)."""
    onboarding_request = _visible_request(request, pk)
    try:
        result = service(request=onboarding_request, actor=request.user)
    except PermissionDenied as error:
        raise Forbidden(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success(result))
    return redirect("onboarding:detail", pk=pk)


@login_required
@require_POST
def cancel(request, pk):
    return _act(request, pk, cancel_fulfilment, lambda count: f"Cancelled {count} run{'s' if count != 1 else ''}; "
                                                                "Terraform is being stopped.")


@login_required
@require_POST
def withdraw(request, pk):
    return _act(request, pk, withdraw_request, lambda _: f"Request #{pk} withdrawn; its approvers no longer see it.")


@login_required
@require_POST
def retry(request, pk):
    return _act(request, pk, retry_fulfilment,
                lambda _: "Provisioning starts again from the first item that does not exist.")
