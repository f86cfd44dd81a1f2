"""Pages that ask for a change of what exists: decommission (a resource, a request, a team's
project), a lifetime extension, new values. Each makes a change request that goes through review."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from portal.catalog.forms import ParameterForm
from portal.core.errors import ApplicationError
from portal.inventory.models import ProvisionedResource
from portal.teams.models import Team

from .models import OnboardingRequest, RequestItem
from .services import InvalidValues, changes
from .wizard import show_errors


def _resource(request, pk) -> ProvisionedResource:
    resource = get_object_or_404(
        ProvisionedResource.objects.select_related("team", "item__request", "item__template_version__template"),
        pk=pk, status=ProvisionedResource.Status.ACTIVE)
    if not changes.may_change(request.user, resource.team):
        raise Http404("No such resource")  # don't reveal what other teams have
    return resource


# What the reason box accepts (Django's checks: length, no NUL character the database cannot store).
REASON = forms.CharField(required=False, max_length=5000, strip=False)


def _typed_reason(request) -> str:
    try:
        return REASON.clean(request.POST.get("reason", ""))
    except ValidationError as error:
        raise ApplicationError(error.messages[0], field="reason") from None


def _submitted(request, change_request) -> object:
    messages.success(request, f"Request #{change_request.pk} ({change_request.get_kind_display().lower()}) is in "
                              "review; it is carried out once approved.")
    return redirect("onboarding:detail", pk=change_request.pk)


def _form_page(request, *, title: str, intro: str, back, resources, error=None, fields=None, form=None, status=200):
    return render(request, "onboarding/change_form.html", {
        "page_title": title, "intro": intro, "back": back, "resources": resources, "error": error,
        "fields": fields or {}, "form": form,
        "reason": request.POST.get("reason", "") if request.method == "POST" else request.GET.get("reason", "")[:5000],
    }, status=status)


@login_required
def decommission_resource(request, pk):
    resource = _resource(request, pk)
    return _decommission(request, resources=[resource], back=resource.item.request,
                         title=f"Decommission {resource.name}")


@login_required
def decommission_request(request, pk):
    """Everything a request created that still exists, in one decommission."""
    origin = get_object_or_404(OnboardingRequest.objects.select_related("team"), pk=pk)
    if not changes.may_change(request.user, origin.team):
        raise Http404("No such request")
    resources = list(ProvisionedResource.objects.filter(
        item__request=origin, status=ProvisionedResource.Status.ACTIVE).select_related("team", "item__request"))
    return _decommission(request, resources=resources, back=origin, title=f"Decommission request #{origin.pk}")


@login_required
def offboard_team(request, slug):
    team = get_object_or_404(Team, slug=slug, kind=Team.Kind.MODELLING)
    if not changes.may_change(request.user, team):
        raise Http404("No such team")
    resources = list(ProvisionedResource.objects.filter(team=team, status=ProvisionedResource.Status.ACTIVE)
                     .select_related("team", "item__request"))
    intro = (f"Offboarding removes everything {team} owns — {len(resources)} resource(s) — in one request, "
             "last created first (a directory group only after what uses it). Approvers see what will be destroyed.")
    return _ask(request, lambda reason: changes.request_offboarding(actor=request.user, team=team, reason=reason),
                title=f"Offboard {team}", intro=intro, back=None, resources=resources)


def _decommission(request, *, resources, back, title: str):
    intro = ("Decommissioning destroys these resources once the request is approved; their records stay in the "
             "inventory, marked destroyed. Approvers see what will be destroyed.")
    return _ask(request, lambda reason: changes.request_decommission(actor=request.user, resources=resources,
                                                                     reason=reason),
                title=title, intro=intro, back=back, resources=resources)


def _ask(request, make, **page):
    """GET: the form; POST: ``make(reason)`` a change request, or show the form again with why not."""
    if request.method != "POST":
        return _form_page(request, **page)
    try:
        change_request = make(_typed_reason(request))
    except ApplicationError as error:
        return _form_page(request, error=error, status=400, **page)
    return _submitted(request, change_request)


@login_required
def extend_resource(request, pk):
    resource = _resource(request, pk)
    title = f"Extend the lifetime of {resource.name}"
    intro = (f"It expires {resource.expires_at:%Y-%m-%d %H:%M} UTC. An extension adds days to that date once "
             "approved; until the approvers decide, the resource is not destroyed." if resource.expires_at
             else "This resource does not expire.")
    days = request.POST.get("days", "30")
    return _ask(request, lambda reason: changes.request_extension(actor=request.user, resource=resource, days=days,
                                                                  reason=reason),
                title=title, intro=intro, back=resource.item.request, resources=[resource], fields={"days": days})


def _keeping_name(values: dict, current: dict) -> dict:
    return {**values, "name": current["name"]} if "name" in current else values


@login_required
def modify_resource(request, pk):
    resource = _resource(request, pk)
    item: RequestItem = resource.item
    title = f"Change {resource.name}"
    intro = ("Change the values below. Approvers see the Terraform plan of the change (what is updated or "
             "replaced) before it is applied.")
    # A right-sizing suggestion links here with the suggested type (and its reason) filled in; nothing is
    # submitted until the person does, and the values are checked like any others.
    suggested = {key: request.GET[key] for key in ("instance_type",) if request.method == "GET" and key in request.GET}
    form = ParameterForm(request.POST or None, schema=item.template_version.parameter_schema, prefix="values",
                         initial={**item.values, **suggested})
    if "name" in form.fields:
        form.fields["name"].disabled = True  # an existing resource keeps its name
    if request.method == "POST" and form.is_valid():
        try:
            change_request = changes.request_modification(
                actor=request.user, resource=resource, values=_keeping_name(form.cleaned_values, item.values),
                reason=_typed_reason(request))
        except InvalidValues as error:
            show_errors(form, error.errors)
        except ApplicationError as error:
            return _form_page(request, title=title, intro=intro, back=item.request, resources=[resource],
                              form=form, error=error, status=400)
        else:
            return _submitted(request, change_request)
    return _form_page(request, title=title, intro=intro, back=item.request, resources=[resource], form=form,
                      status=400 if request.method == "POST" else 200)
