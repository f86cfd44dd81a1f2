"""The dataset catalogue, registration and a dataset's page. Permissions first: a team someone may not
act for is a 404; the details of a restricted dataset of another team are never put in a page (403, with
its name and owner only — what the catalogue shows anyway)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from portal.core.errors import ApplicationError
from portal.core.pagination import paginate
from portal.onboarding.models import DataClassification
from portal.teams.models import Team
from portal.teams.permissions import may_act_for_team

from . import services
from .forms import AccessRequestForm, RegisterDatasetForm
from .permissions import may_register, may_register_existing_bucket, may_see_grants
from .selectors import access_to, dataset_or_none, entry_for, team_buckets
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


def _dataset_page(request, dataset, *, form=None, status=200):
    entry = entry_for(request.user, dataset)
    teams = _asking_teams(request.user, dataset)
    if form is None and teams.exists():
        form = AccessRequestForm(teams=teams)
    context = {"dataset": entry, "access_form": form,
               "grants": access_to(dataset) if not entry.limited and may_see_grants(request.user, dataset) else None}
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
