"""A team's data products: the list, entering (form or file), a product's page with its triage, what
follows the triage, its parallel run and lessons. Permissions first: a product someone may not see is a
404, like one that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from portal.core.errors import ApplicationError
from portal.core.pagination import paginate
from portal.onboarding.services import draft_migration_request, submit_triage_review

from . import services
from .forms import (
    AssignWaveForm,
    ConfirmTriageForm,
    CycleForm,
    DataProductForm,
    DecommissionForm,
    ImportForm,
    LessonForm,
    RetainForm,
    TolerancesForm,
)
from .models import ENVIRONMENT_RS, DataProduct, Decommission, ParallelRun, R
from .permissions import can_edit_product, can_view_product, is_migration_lead
from .selectors import (
    current_triage,
    editable_teams,
    mapping_for,
    query_text,
    similar_lessons,
    visible_products,
    visible_teams,
)
from .services.outcomes import missing_from
from .services.validation import PASSING_CYCLES_NEEDED, due_on
from .spreadsheets import XLSX_TYPE, csv_template, read_rows, xlsx_template

PAGE_SIZE = 25


def _product(user, pk, *, edit: bool = False) -> DataProduct:
    product = DataProduct.objects.select_related("team", "wave").filter(pk=pk).first()
    if product is None or not can_view_product(user, product):
        raise Http404("No such data product")
    if edit and not can_edit_product(user, product):
        raise Forbidden(f"Only members of {product.team} change its products.")
    return product


def _team(user, slug: str):
    team = editable_teams(user).filter(slug=slug).first()
    if team is None:
        raise Http404("No such team")
    return team


def _run(request, product, call, success: str):
    """Run a service; its refusal becomes a message on the product's page (never a 500)."""
    try:
        result = call()
    except ApplicationError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, success)
    return result


@login_required
@require_safe
def product_list(request):
    products = visible_products(request.user).prefetch_related("triages")
    team, status, r, query = (query_text(request, k) for k in ("team", "status", "r", "q"))
    if team:
        products = products.filter(team__slug=team)
    if status in DataProduct.Status.values:
        products = products.filter(status=status)
    if r in R.values:
        products = products.filter(r=r)
    if query:
        products = products.filter(name__icontains=query)
    pager = paginate(request, products.order_by("team__name", "name"), noun=("data product", "data products"),
                     per_page=PAGE_SIZE)
    return render(request, "migration/products.html", {
        "pager": pager, "teams": visible_teams(request.user), "own_teams": editable_teams(request.user),
        "statuses": DataProduct.Status.choices, "rs": R.choices, "filters": {"team": team, "status": status, "r": r,
                                                                            "q": query},
    })


@login_required
def product_new(request, slug):
    team = _team(request.user, slug)
    form = DataProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(actor=request.user, team=team, data=form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{product.name} entered. Triage it next.")
            return redirect("migration:product", pk=product.pk)
    return render(request, "migration/product_form.html", {"form": form, "team": team, "product": None},
                  status=400 if request.method == "POST" else 200)


@login_required
def product_edit(request, pk):
    product = _product(request.user, pk, edit=True)
    form = DataProductForm(request.POST or None, initial=DataProductForm.initial_for(product))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(actor=request.user, product=product, data=form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{product.name} saved.")
            return redirect("migration:product", pk=product.pk)
    return render(request, "migration/product_form.html", {"form": form, "team": product.team, "product": product},
                  status=400 if request.method == "POST" else 200)


@login_required
def product_import(request, slug):
    team = _team(request.user, slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_rows(upload)
            result = services.import_products(actor=request.user, team=team, rows=rows, filename=upload.name)
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            if result.ok:
                messages.success(request, f"{len(result.created)} data products imported into {team}.")
                return redirect(f"{reverse('migration:products')}?team={team.slug}")
    failed = request.method == "POST" and (result is None or not result.ok)
    return render(request, "migration/import.html", {"form": form, "team": team, "result": result},
                  status=400 if failed else 200)


@login_required
@require_safe
def import_template(request, fmt):
    if fmt == "xlsx":
        response = HttpResponse(xlsx_template(), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="data-products-template.{fmt}"'
    return response


@login_required
@require_safe
def product_page(request, pk):
    product = _product(request.user, pk)
    triage = current_triage(product)
    editable = can_edit_product(request.user, product)
    run = ParallelRun.objects.filter(product=product).first()
    cycles = list(run.cycles.all()) if run else []
    checklist = Decommission.objects.filter(product=product).first()
    shown_r = product.r or (triage.chosen_r or triage.proposed_r if triage else "")
    return render(request, "migration/product.html", {
        "product": product, "triage": triage, "editable": editable, "lead": is_migration_lead(request.user),
        "confirm_form": ConfirmTriageForm(initial={"chosen_r": triage.proposed_r} if triage else None),
        "lessons": similar_lessons(product, shown_r) if shown_r else [],
        "mapping": mapping_for(product) if product.r in ENVIRONMENT_RS else None,
        "needs_environment": product.r in ENVIRONMENT_RS and product.status == DataProduct.Status.TRIAGED,
        "environment_requests": product.environment_requests.order_by("-created_at")[:5],
        "triage_requests": (product.triages.first().review_requests.order_by("-created_at")[:3]
                            if product.triages.exists() else []),
        "retain_form": RetainForm(), "checklist": checklist,
        "checklist_form": DecommissionForm(initial={
            "owner_sign_off": bool(checklist.owner_signed_off_by_id), "retention": checklist.retention,
            "retain_until": checklist.retain_until, "consumers_notified": checklist.consumers_notified,
        }) if checklist else None,
        "checklist_missing": missing_from(checklist) if checklist else [],
        "run": run, "cycles": cycles, "passing": sum(c.passed for c in cycles), "needed": PASSING_CYCLES_NEEDED,
        "next_due": due_on(run, len(cycles) + 1) if run else None, "today": timezone.localdate(),
        "tolerances_form": TolerancesForm(initial={
            "key_column": run.key_column, "max_row_count_difference_pct": run.max_row_count_difference_pct,
            "max_numeric_difference": run.max_numeric_difference,
            "min_label_agreement_pct": run.min_label_agreement_pct}) if run else None,
        "cycle_form": CycleForm(), "lesson_form": LessonForm(),
        "wave_form": AssignWaveForm(initial={"wave": product.wave_id}),
        "dependencies": product.depends_on.all(), "dependents": product.dependents.all(),
    })


def _back(product):
    return redirect("migration:product", pk=product.pk)


@login_required
@require_POST
def triage_propose(request, pk):
    product = _product(request.user, pk, edit=True)
    _run(request, product, lambda: services.propose_triage(actor=request.user, product=product),
         "The decision tree proposed an R: confirm it or choose another.")
    return _back(product)


@login_required
@require_POST
def triage_confirm(request, pk):
    product = _product(request.user, pk, edit=True)
    triage = current_triage(product)
    form = ConfirmTriageForm(request.POST)
    if triage is None or not form.is_valid():
        messages.error(request, "Choose one of the six Rs.")
        return _back(product)
    _run(request, product, lambda: submit_triage_review(actor=request.user, triage=triage, **form.cleaned_data),
         "Triage sent to MLOps enablement for review.")
    return _back(product)


@login_required
@require_POST
def environment(request, pk):
    """One click: a draft request for the product's environment, opened in the request wizard."""
    product = _product(request.user, pk, edit=True)
    draft = _run(request, product, lambda: draft_migration_request(actor=request.user, product=product),
                 "A request for its environment is drafted from the mapped template, sized from its profile. "
                 "Check it and submit it.")
    return redirect("onboarding:draft", pk=draft.pk) if draft else _back(product)


@login_required
@require_POST
def decommission_open(request, pk):
    product = _product(request.user, pk, edit=True)
    _run(request, product, lambda: services.open_decommission(actor=request.user, product=product),
         "Decommission checklist opened.")
    return _back(product)


@login_required
@require_POST
def decommission_update(request, pk):
    product = _product(request.user, pk, edit=True)
    checklist = Decommission.objects.filter(product=product).first()
    form = DecommissionForm(request.POST)
    if checklist is None or not form.is_valid():
        messages.error(request, "Check the checklist's values.")
        return _back(product)
    done = _run(request, product, lambda: services.update_decommission(actor=request.user, checklist=checklist,
                                                                       **form.cleaned_data), "Checklist saved.")
    if done and request.POST.get("complete"):
        _run(request, product, lambda: services.complete_decommission(actor=request.user, checklist=checklist),
             f"{product.name} is retired.")
    return _back(product)


@login_required
@require_POST
def retain(request, pk):
    product = _product(request.user, pk, edit=True)
    form = RetainForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date to revisit it.")
        return _back(product)
    _run(request, product, lambda: services.retain_product(actor=request.user, product=product, **form.cleaned_data),
         f"{product.name} is retained; its team is reminded on {form.cleaned_data['revisit_on']:%Y-%m-%d}.")
    return _back(product)


@login_required
@require_POST
def tolerances(request, pk):
    product = _product(request.user, pk, edit=True)
    form = TolerancesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tolerances are numbers: percentages from 0 to 100, a difference of 0 or more.")
        return _back(product)
    _run(request, product, lambda: services.set_tolerances(actor=request.user, product=product, **form.cleaned_data),
         "Tolerances declared.")
    return _back(product)


@login_required
@require_POST
def cycle(request, pk):
    product = _product(request.user, pk, edit=True)
    form = CycleForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Upload both outputs of the cycle (CSV files).")
        return _back(product)
    old, new = form.cleaned_data["old_output"], form.cleaned_data["new_output"]
    recorded = _run(request, product, lambda: services.record_cycle(
        actor=request.user, product=product, old_output=old.read(), new_output=new.read()), "Cycle recorded.")
    if recorded is not None and not recorded.passed:
        messages.warning(request, f"Cycle {recorded.number} failed: "
                         + ", ".join(c["check"] for c in recorded.checks if not c["passed"]) + ".")
    return _back(product)


@login_required
@require_POST
def retire_original(request, pk):
    product = _product(request.user, pk, edit=True)
    _run(request, product, lambda: services.retire_original(actor=request.user, product=product),
         f"The original {product.name} is retired: the migration is done.")
    return _back(product)


@login_required
@require_POST
def wave(request, pk):
    product = _product(request.user, pk)
    if not (can_edit_product(request.user, product) or is_migration_lead(request.user)):
        raise Forbidden("Only its team or MLOps enablement plan this product.")
    form = AssignWaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a wave.")
        return _back(product)
    chosen = form.cleaned_data["wave"]
    _run(request, product, lambda: services.assign_wave(actor=request.user, products=[product], wave=chosen),
         f"{product.name} is in {chosen}." if chosen else f"{product.name} is in no wave.")
    return _back(product)


@login_required
@require_POST
def lesson(request, pk):
    product = _product(request.user, pk)
    form = LessonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A lesson needs a title and what was learned.")
        return _back(product)
    _run(request, product, lambda: services.add_lesson(actor=request.user, product=product, **form.cleaned_data),
         "Lesson added to the playbook.")
    return _back(product)
