from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.catalog.estimates import estimate_panel
from portal.catalog.forms import ParameterForm
from portal.catalog.models import Bundle
from portal.catalog.pricing import estimate_request
from portal.catalog.sections import build_sections
from portal.catalog.selectors import bundle_versions, offered_version_for
from portal.core.errors import ApplicationError

from .details import InvalidDetails
from .forms import RequestDetailsForm, ReviewDetailsForm
from .models import EDITABLE_STATES, OnboardingRequest, RequestStatus
from .permissions import can_operate_request, can_view_request
from .revisions import revise_request
from .rollout import cancel_provisioning, failed_item, has_active_runs, retry_provisioning
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
    sections = build_sections([(version.template.name, version)], request.POST or None, single=True)
    return _compose(request, sections, heading=version.template.name, version=version,
                    intro=f"{version.template.description} (template version {version.number})")


@login_required
def new_bundle_request(request, slug):
    bundle = get_object_or_404(Bundle, slug=slug, is_active=True)
    specs = bundle_versions(bundle)
    missing = [title for title, version in specs if version is None]
    if missing or not specs:
        messages.error(request, f"The bundle “{bundle}” cannot be requested now: {', '.join(missing) or 'it is empty'} "
                       "has no published version. Ask an admin.")
        return redirect("catalog:index")
    sections = build_sections(specs, request.POST or None)
    return _compose(request, sections, heading=f"{bundle.name} bundle", intro=bundle.description,
                    initial_title=bundle.name)


def _compose(request, sections, *, heading, intro, version=None, initial_title=""):
    """One request from one or more sections: validate all, submit once, or show every problem."""
    details = RequestDetailsForm(request.POST or None, user=request.user, initial={"title": initial_title})
    valid = [details.is_valid(), *[section.form.is_valid() for section in sections]]
    if request.method == "POST" and all(valid):
        try:
            created = submit_new_request(
                actor=request.user, team=details.cleaned_data["team"], title=details.cleaned_data["title"],
                items=[(section.version, section.form.cleaned_values) for section in sections],
                details=details.details(),
            )
        except InvalidValues as error:
            _show_errors(sections[error.position].form, error.errors)
        except InvalidDetails as error:
            _show_errors(details, error.errors)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Request #{created.pk} submitted for review.")
            return redirect("onboarding:detail", pk=created.pk)
    teams = details.fields["team"].queryset
    team = details.cleaned_data.get("team") if details.is_bound and details.is_valid() else teams.first()
    context = {"heading": heading, "intro": intro, "version": version, "details": details, "sections": sections,
               "params": sections[0].form, "no_team": not teams.exists(), "panel": estimate_panel(sections, team=team)}
    return render(request, "onboarding/new.html", context, status=400 if request.method == "POST" else 200)


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
        "events": timeline(onboarding_request), **_run_state(request, onboarding_request),
        "rounds": review_rounds(onboarding_request),
        "may_edit": onboarding_request.requester_id == request.user.pk
        and onboarding_request.status in EDITABLE_STATES,
        "estimate": estimate_request(onboarding_request),
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
