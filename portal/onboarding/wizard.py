"""The request wizard: compose (a form section per item) → review → submit, with drafts on the way.

Buttons post ``action``: ``draft`` keeps what was typed (valid or not) as a draft, ``review`` saves
a valid form as a draft and shows the review step, and ``submit`` (or no action: scripts and tests)
submits at once. A refused form comes back with every message next to its field and what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.catalog.estimates import estimate_panel, estimate_panel_for
from portal.catalog.forms import data_for, readable_values, typed_values
from portal.catalog.models import Bundle
from portal.catalog.sections import build_sections, sections_from_post
from portal.catalog.selectors import bundle_unavailable, bundle_versions, offered_version_for
from portal.core.errors import ApplicationError
from portal.teams.models import Team

from .details import DETAIL_FIELDS, InvalidDetails
from .drafts import discard_draft, save_draft
from .forms import RequestDetailsForm
from .models import OnboardingRequest, RequestStatus
from .quotas import quota_for
from .services import InvalidValues, submit_new_request, submit_request


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
    unavailable = bundle_unavailable(bundle, specs)
    if unavailable:
        messages.error(request, unavailable)
        return redirect("catalog:index")
    sections = build_sections(specs, request.POST or None)
    return _compose(request, sections, heading=f"{bundle.name} bundle", intro=bundle.description,
                    initial_title=bundle.name)


@login_required
def continue_draft(request, pk):
    draft = _own_draft(request, pk)
    if not isinstance(draft, OnboardingRequest):
        return draft
    return _compose(request, _draft_sections(draft, request.POST or None), heading=draft.title, draft=draft,
                    intro="Your draft, as you left it. Nothing is sent to the approvers until you submit it.")


def _draft_sections(draft, data=None):
    items = list(draft.items.select_related("template_version__template"))
    specs = [(item.template_version.template.name, item.template_version) for item in items]
    return build_sections(specs, data, single=len(items) == 1, initial=[item.values for item in items])


def _draft_initial(draft) -> dict:
    return {"title": draft.title, "team": draft.team_id, **{name: getattr(draft, name) for name in DETAIL_FIELDS}}


def _compose(request, sections, *, heading, intro, version=None, initial_title="", draft=None):
    data = request.POST if request.method == "POST" else None
    initial = _draft_initial(draft) if draft else {"title": initial_title}
    details = RequestDetailsForm(data, user=request.user, initial=initial)
    if data is not None:
        action = data.get("action", "submit")
        if action == "draft":
            saved = _save_as_typed(request, details, sections, draft=draft)
            if saved is not None:
                messages.success(request, "Draft saved. Come back to it any time from My requests.")
                return redirect("onboarding:draft", pk=saved.pk)
        elif all([details.is_valid(), *[section.form.is_valid() for section in sections]]):
            done = _review_or_submit(request, details, sections, action=action, draft=draft)
            if done is not None:
                return done
    return _compose_page(request, sections, details, heading=heading, intro=intro, version=version, draft=draft)


def _compose_page(request, sections, details, *, heading, intro, version=None, draft=None):
    teams = details.fields["team"].queryset
    team = details.cleaned_data.get("team") if details.is_bound and details.is_valid() else (
        draft.team if draft else teams.first())
    has_errors = bool(details.errors) or any(section.form.errors for section in sections)
    context = {"heading": heading, "intro": intro, "version": version, "details": details, "sections": sections,
               "draft": draft, "no_team": not teams.exists(), "panel": estimate_panel(sections, quota=quota_for(team)),
               "form_action": reverse("onboarding:draft", args=[draft.pk]) if draft else request.path,
               "check_url": reverse("onboarding:check_field"), "has_errors": has_errors}
    return render(request, "onboarding/new.html", context,
                  status=400 if request.method == "POST" or has_errors else 200)


def _save_as_typed(request, details, sections, *, draft):
    typed = typed_values(details)
    team = typed.get("team") if isinstance(typed.get("team"), Team) else details.fields["team"].queryset.first()
    if team is None:
        messages.error(request, "You are not a member of a modelling team, so there is nothing to save a draft for.")
        return None
    try:
        return save_draft(actor=request.user, team=team, title=typed.get("title", ""), details=typed, draft=draft,
                          items=[(section.version, typed_values(section.form)) for section in sections])
    except ApplicationError as error:
        messages.error(request, error.message)
        return None


def _review_or_submit(request, details, sections, *, action, draft):
    """A valid form: save it as a draft and show the review step, or submit it at once."""
    team, title = details.cleaned_data["team"], details.cleaned_data["title"]
    items = [(section.version, section.form.cleaned_values) for section in sections]
    try:
        if action == "review" or draft is not None:
            draft = save_draft(actor=request.user, team=team, title=title, items=items, details=details.details(),
                               draft=draft)
            if action == "review":
                return redirect("onboarding:review", pk=draft.pk)
            created = submit_request(request=draft, actor=request.user)
        else:
            created = submit_new_request(actor=request.user, team=team, title=title, items=items,
                                         details=details.details())
    except InvalidValues as error:
        show_errors(sections[error.position].form, error.errors)
    except InvalidDetails as error:
        show_errors(details, error.errors)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Request #{created.pk} submitted for review.")
        return redirect("onboarding:detail", pk=created.pk)
    return None


def show_errors(form, errors: dict) -> None:
    for field, problems in errors.items():
        for problem in [problems] if isinstance(problems, str) else problems:
            form.add_error(field if field in form.fields else None, problem)


@login_required
def review(request, pk):
    """The review step: everything the draft asks for, its cost and who will approve it; POST submits."""
    draft = _own_draft(request, pk)
    if not isinstance(draft, OnboardingRequest):
        return draft
    empty = RequestDetailsForm(user=request.user)
    details = RequestDetailsForm(data_for(empty, _draft_initial(draft)), user=request.user)
    sections = [section.bound_to_initial() for section in _draft_sections(draft)]
    if not all([details.is_valid(), *[section.form.is_valid() for section in sections]]):
        messages.error(request, "Some answers still need attention; they are marked below.")
        return _compose_page(request, sections, details, heading=draft.title, draft=draft,
                             intro="Your draft, as you left it. Nothing is sent until you submit it.")
    if request.method == "POST":
        try:
            submit_request(request=draft, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Request #{draft.pk} submitted for review.")
            return redirect("onboarding:detail", pk=draft.pk)
    return render(request, "onboarding/review.html", _review_context(draft, details, sections),
                  status=400 if request.method == "POST" else 200)


def _review_context(draft, details, sections) -> dict:
    from portal.approvals.facts import facts_for
    from portal.approvals.routing import stages_for

    from .selectors import values_asked

    try:
        stages, routing_problem = stages_for(draft, facts_for(draft, values_asked(draft))), ""
    except ApplicationError as error:
        stages, routing_problem = [], error.message
    entries = [(s.title, s.version, s.form.cleaned_values) for s in sections]
    return {
        "req": draft, "stages": stages, "routing_problem": routing_problem,
        "details": readable_values(details, details.cleaned_data),
        "items": [(s, readable_values(s.form, s.form.cleaned_values)) for s in sections],
        "panel": estimate_panel_for(entries, quota=quota_for(draft.team)),
    }


@login_required
@require_POST
def discard(request, pk):
    draft = _own_draft(request, pk)
    if not isinstance(draft, OnboardingRequest):
        return draft
    discard_draft(draft=draft, actor=request.user)
    messages.success(request, f"Draft “{draft.title}” discarded.")
    return redirect("onboarding:list")


def _own_draft(request, pk):
    """The user's own draft; a submitted request sends them to its page; anything else is a 404."""
    found = OnboardingRequest.objects.select_related("team").filter(pk=pk, requester=request.user).first()
    if found is None:
        raise Http404("No such draft")
    if found.status != RequestStatus.DRAFT:
        return redirect("onboarding:detail", pk=pk)
    return found


@login_required
@require_POST
def check_field(request):
    """htmx: the messages for one field of the request form as it is now (inline validation)."""
    name = request.POST.get("_field", "")
    forms = [RequestDetailsForm(request.POST, user=request.user), *[s.form for s in sections_from_post(request.POST)]]
    for form in forms:
        for field_name in form.fields:
            if form.add_prefix(field_name) == name:
                form.is_valid()
                return render(request, "core/_errors.html", {"errors": form.errors.get(field_name, [])})
    return render(request, "core/_errors.html", {"errors": []})
