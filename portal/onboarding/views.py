from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from portal.catalog.forms import ParameterForm
from portal.catalog.selectors import offered_version_for
from portal.core.errors import ApplicationError

from .details import InvalidDetails
from .forms import RequestDetailsForm, ReviewDetailsForm
from .models import EDITABLE_STATES, OnboardingRequest, RequestStatus
from .permissions import can_view_request
from .revisions import revise_request
from .selectors import items_with_runs, request_detail, requests_visible_to, review_rounds, timeline
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
                items=[(version, params.cleaned_values)], details=details.details(),
            )
        except InvalidValues as error:
            _show_errors(params, error.errors)
        except InvalidDetails as error:
            _show_errors(details, error.errors)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Request #{created.pk} submitted for review.")
            return redirect("onboarding:detail", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    context = {"version": version, "details": details, "params": params,
               "no_team": not details.fields["team"].queryset.exists()}
    return render(request, "onboarding/new.html", context, status=status)


def _show_errors(form, errors: dict) -> None:
    for field, problems in errors.items():
        for problem in [problems] if isinstance(problems, str) else problems:
            form.add_error(field if field in form.fields else None, problem)


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
        "events": timeline(onboarding_request), "live": onboarding_request.status in LIVE_STATES,
        "rounds": review_rounds(onboarding_request),
        "may_edit": onboarding_request.requester_id == request.user.pk
        and onboarding_request.status in EDITABLE_STATES,
    })


@login_required
def edit_request(request, pk):
    """The requester changes values and details, and resubmits: earlier approvals become void."""
    onboarding_request = _visible_request(request, pk)
    if onboarding_request.requester_id != request.user.pk:
        raise PermissionDenied("Only the requester can edit this request.")
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
            _show_errors(items[error.position].form, error.errors)
        except InvalidDetails as error:
            _show_errors(details, error.errors)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Request #{pk} resubmitted; earlier approvals no longer count.")
            return redirect("onboarding:detail", pk=pk)
    return render(request, "onboarding/edit.html", {"req": onboarding_request, "items": items, "details": details},
                  status=400 if data is not None else 200)


@login_required
def progress(request, pk):
    onboarding_request = _visible_request(request, pk)
    return render(request, "onboarding/_progress.html", {
        "req": onboarding_request, "items": items_with_runs(onboarding_request),
        "live": onboarding_request.status in LIVE_STATES,
    })
