"""The dataset catalogue, registration and a dataset's page. Permissions first: a team someone may not
act for is a 404; the details of a restricted dataset of another team are never put in a page (403, with
its name and owner only — what the catalogue shows anyway)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from portal.core.errors import ApplicationError
from portal.core.pagination import paginate
from portal.onboarding.models import DataClassification
from portal.teams.models import Team
from portal.teams.permissions import may_act_for_team

from . import services
from .forms import AccessRequestForm, LifecycleChangeForm, RegisterDatasetForm
from .models import AccessReview, ReviewEntry
from .permissions import (
    may_decide_review,
    may_register,
    may_register_existing_bucket,
    may_see_grants,
    may_see_review,
)
from .selectors import access_to, dataset_or_none, entry_for, review_rows, reviews_of, team_buckets
from .selectors import catalogue as catalogue_rows

PAGE_SIZE = 25


def _text(request, key: str) -> str:
    return str(request.GET.get(key, ""))[:100]


@login_required
@require_safe
def catalogue(request):
    filters = {key: _text(request, key) for key in ("q", "team", "classification")}
    rows = catalogue_rows(request.user, query=filters["q"], team=filters["team"],
                          classification=filters["classification"])
    pager = paginate(request, rows, noun=("dataset", "datasets"), per_page=PAGE_SIZE)
    teams = Team.objects.filter(kind=Team.Kind.MODELLING).order_by("name")
    return render(request, "datasets/catalogue.html", {
        "pager": pager, "filters": filters, "classes": DataClassification.choices,
        "teams": teams.filter(datasets__isnull=False).distinct(),
        "registers_for": [t for t in teams.filter(memberships__user=request.user).distinct()
                          if may_register(request.user, t)],
    })


@login_required
def register(request, slug):
    team = Team.objects.filter(slug=slug, kind=Team.Kind.MODELLING).first()
    if team is None or not may_act_for_team(request.user, team):
        raise Http404("No such team")
    if not may_register(request.user, team):
        raise Forbidden(f"Only a lead of {team} or a platform admin registers its datasets.")
    existing = may_register_existing_bucket(request.user)
    form = RegisterDatasetForm(request.POST or None, team=team, buckets=team_buckets(team), existing_bucket=existing)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        data.setdefault("bucket", "")
        try:
            dataset = services.register_dataset(actor=request.user, team=team, **data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{dataset.name} registered.")
            return redirect("datasets:dataset", pk=dataset.pk)
    return render(request, "datasets/register.html", {"form": form, "team": team},
                  status=400 if request.method == "POST" else 200)


def _asking_teams(user, dataset):
    """The modelling teams ``user`` may ask for access to ``dataset`` for (theirs, not the owning one)."""
    return (Team.objects.filter(kind=Team.Kind.MODELLING, memberships__user=user).exclude(pk=dataset.team_id)
            .distinct().order_by("name"))


def _dataset_page(request, dataset, *, form=None, change_form=None, status=200):
    entry = entry_for(request.user, dataset)
    teams = _asking_teams(request.user, dataset)
    if form is None and teams.exists():
        form = AccessRequestForm(teams=teams)
    if change_form is None and request.user.pk == dataset.data_owner_id:
        change_form = LifecycleChangeForm(initial=LifecycleChangeForm.initial_for(dataset))
    owners_view = not entry.limited and may_see_grants(request.user, dataset)
    context = {"dataset": entry, "access_form": form, "grants": access_to(dataset) if owners_view else None,
               "reviews": reviews_of(dataset) if owners_view else None, "change_form": change_form,
               "changes": list(dataset.lifecycle_changes.select_related("request")[:5]) if owners_view else None}
    if entry.limited and status == 200:
        status = 403
    return render(request, "datasets/dataset.html", context, status=status)


@login_required
@require_safe
def dataset_page(request, pk):
    dataset = dataset_or_none(pk)
    if dataset is None:
        raise Http404("No such dataset")
    return _dataset_page(request, dataset)


@login_required
@require_POST
def ask_access(request, pk):
    dataset = dataset_or_none(pk)
    if dataset is None:
        raise Http404("No such dataset")
    teams = _asking_teams(request.user, dataset)
    if not teams.exists():
        raise Forbidden("Only members of another modelling team ask for access to this dataset.")
    form = AccessRequestForm(request.POST, teams=teams)
    if form.is_valid():
        try:
            ask = services.request_access(actor=request.user, dataset=dataset, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Asked: {dataset.data_owner} (the data owner) decides.")
            return redirect("onboarding:detail", pk=ask.request_id)
    return _dataset_page(request, dataset, form=form, status=400)


@login_required
@require_POST
def change_lifecycle(request, pk):
    dataset = dataset_or_none(pk)
    if dataset is None or not may_see_grants(request.user, dataset):
        raise Http404("No such dataset")
    if request.user.pk != dataset.data_owner_id:
        raise Forbidden(f"Only {dataset.data_owner}, the data owner, asks to change {dataset}.")
    form = LifecycleChangeForm(request.POST)
    if form.is_valid():
        try:
            change = services.request_lifecycle_change(actor=request.user, dataset=dataset, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Asked: the change applies once it is approved.")
            return redirect("onboarding:detail", pk=change.request_id)
    return _dataset_page(request, dataset, change_form=form, status=400)


def _review(user, pk) -> AccessReview:
    review = AccessReview.objects.select_related("dataset__team", "dataset__data_owner", "reviewer").filter(
        pk=pk).first()
    if review is None or not may_see_review(user, review):
        raise Http404("No such review")
    return review


def _review_page(request, review, *, status=200, error=""):
    return render(request, "datasets/review.html", {
        "review": review, "rows": review_rows(review), "decides": may_decide_review(request.user, review),
        "error": error}, status=status)


@login_required
@require_safe
def review_page(request, pk):
    return _review_page(request, _review(request.user, pk))


@login_required
@require_POST
def decide(request, pk, entry_pk):
    review = _review(request.user, pk)
    if not may_decide_review(request.user, review):
        raise Forbidden(f"Only {review.dataset.data_owner}, the data owner, decides this review.")
    entry = ReviewEntry.objects.filter(pk=entry_pk, review=review).first()
    if entry is None:
        raise Http404("No such grant in this review")
    decision = str(request.POST.get("decision", ""))
    if decision not in ("keep", "revoke"):
        return _review_page(request, review, status=400, error="Choose keep or revoke.")
    try:
        services.decide_entry(actor=request.user, entry=entry, keep=decision == "keep",
                              comment=str(request.POST.get("comment", ""))[:2000])
    except ApplicationError as error:
        return _review_page(request, review, status=400, error=error.message)
    messages.success(request, "Kept." if decision == "keep" else "Revoked: the grant is being removed.")
    return redirect("datasets:review", pk=review.pk)


@login_required
@require_safe
def review_csv(request, pk):
    from .exports import review_csv as as_csv

    review = _review(request.user, pk)
    response = HttpResponse(as_csv(review, review_rows(review)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-review-{review.pk}.csv"'
    return response
