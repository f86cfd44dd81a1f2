"""The migration dashboard, planning (waves, pilot selection) and the playbook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from portal.core.errors import ApplicationError
from portal.core.pagination import paginate

from . import services
from .charts import bar_chart, burn_up_chart
from .forms import PilotForm, WaveForm
from .models import DataProduct, ProductKind, R, Wave
from .permissions import is_migration_lead
from .pilots import DIMENSIONS, Candidate, select_pilots
from .selectors import (
    burn_up,
    counts_by,
    counts_by_r,
    counts_by_wave,
    due_revisits,
    lessons,
    query_text,
    r_of,
    validation_results,
    visible_products,
    visible_teams,
)

DIMENSION_LABELS = {"r": "Rs", "complexity": "Complexity", "team": "Teams"}


@login_required
@require_safe
def dashboard(request):
    teams = visible_teams(request.user)
    products = visible_products(request.user)
    team = query_text(request, "team")
    chosen = teams.filter(slug=team).first() if team else None
    if chosen is not None:
        products = products.filter(team=chosen)
    cycles = validation_results(products)
    pager = paginate(request, cycles, noun=("validation cycle", "validation cycles"), per_page=20)
    passed = cycles.filter(passed=True).count()
    return render(request, "migration/dashboard.html", {
        "teams": teams, "team": chosen, "lead": is_migration_lead(request.user), "total": products.count(),
        "by_r": bar_chart("Products by R", counts_by_r(products)),
        "by_wave": bar_chart("Products by wave", counts_by_wave(products)),
        "by_status": bar_chart("Products by status", counts_by(products, "status", DataProduct.Status.choices)),
        "burn_up": burn_up_chart(burn_up(products)),
        "validation": bar_chart("Validation cycles", [("Passed", passed), ("Failed", cycles.count() - passed)],
                                tones={"Passed": "ok", "Failed": "bad"}),
        "pager": pager, "revisits": due_revisits(products).select_related("team")[:20],
    })


@login_required
def plan(request):
    """MLOps enablement: waves, and the pilot selection that covers the most Rs × complexity × teams."""
    if not is_migration_lead(request.user):
        raise Forbidden("MLOps enablement plans the migration waves.")
    wave_form = WaveForm(request.POST if request.POST.get("form") == "wave" else None, prefix="wave")
    if wave_form.is_bound and wave_form.is_valid():
        try:
            wave = services.create_wave(actor=request.user, **wave_form.cleaned_data)
        except ApplicationError as error:
            wave_form.add_error(error.field if error.field in wave_form.fields else None, error.message)
        else:
            messages.success(request, f"Wave “{wave}” created.")
            return redirect("migration:plan")
    pilot_form = PilotForm(request.GET or None)
    selection, candidates = None, _candidates(request.user)
    if pilot_form.is_bound and pilot_form.is_valid():
        selection = select_pilots(candidates, pilot_form.cleaned_data["count"])
    products = {p.pk: p for p in visible_products(request.user).filter(pk__in=[c.key for c in candidates])}
    picks = [(products[c.key], adds) for c, adds in zip(selection.picked, selection.adds, strict=True)] \
        if selection else []
    waves = Wave.objects.all()
    return render(request, "migration/plan.html", {
        "wave_form": wave_form, "pilot_form": pilot_form, "selection": selection, "picks": picks,
        "candidates": len(candidates), "waves": waves, "pilot_waves": waves.filter(is_pilot=True),
        "dimensions": [(d, DIMENSION_LABELS[d]) for d in DIMENSIONS], "r_labels": dict(R.choices),
    }, status=400 if wave_form.is_bound else 200)


def _candidates(user) -> list[Candidate]:
    """Products that can be piloted: not done, with an R (approved or proposed), in name order."""
    products = (visible_products(user).exclude(status__in=DataProduct.DONE_STATES).exclude(r=R.RETAIN)
                .prefetch_related("triages").order_by("team__name", "name"))
    candidates = []
    for product in products:
        r = r_of(product)
        if r and r != R.RETAIN:
            candidates.append(Candidate(key=product.pk, r=r, complexity=product.complexity, team=product.team.name))
    return candidates


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) < 12


@login_required
@require_POST
def assign_pilots(request):
    if not is_migration_lead(request.user):
        raise Forbidden("MLOps enablement plans the migration waves.")
    wave_id = request.POST.get("wave", "")
    wave = Wave.objects.filter(pk=int(wave_id)).first() if _is_id(wave_id) else None
    ids = [int(v) for v in request.POST.getlist("products") if _is_id(v)][:50]
    products = list(visible_products(request.user).filter(pk__in=ids))
    if wave is None or not products:
        messages.error(request, "Choose a wave and at least one product.")
        return redirect("migration:plan")
    try:
        changed = services.assign_wave(actor=request.user, products=products, wave=wave)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{changed} product{'s' if changed != 1 else ''} put in {wave}.")
    return redirect("migration:plan")


@login_required
@require_safe
def playbook(request):
    query, r, kind = (query_text(request, k, limit=200) for k in ("q", "r", "kind"))
    found = lessons(query, r=r if r in R.values else "", kind=kind if kind in ProductKind.values else "")
    pager = paginate(request, found, noun=("lesson", "lessons"), per_page=20)
    return render(request, "migration/playbook.html", {
        "pager": pager, "q": query, "r": r, "kind": kind, "rs": R.choices, "kinds": ProductKind.choices})
