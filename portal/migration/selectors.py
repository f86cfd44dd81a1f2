"""Reads of the migration app: who sees which products, the tree's facts, mappings, lessons, dashboards."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from portal.core.roles import is_platform_admin
from portal.teams.models import Team

from .models import DataProduct, DecisionTree, EnvironmentMapping, Lesson, R, ValidationCycle, Wave
from .permissions import is_migration_lead


def query_text(request, key: str, *, limit: int = 100) -> str:
    """A query parameter as text a filter can use: stripped, NUL-free (PostgreSQL refuses NUL), cut to size."""
    return request.GET.get(key, "").replace("\x00", "").strip()[:limit]


def visible_products(user):
    """The products ``user`` may see: their teams' (members), everyone's (MLOps enablement, platform admins)."""
    qs = DataProduct.objects.select_related("team", "wave")
    if is_migration_lead(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(team__memberships__user=user, team__kind=Team.Kind.MODELLING).distinct()


def visible_teams(user):
    """Modelling teams whose products ``user`` may see (the dashboard's team filter)."""
    teams = Team.objects.filter(kind=Team.Kind.MODELLING).order_by("name")
    if is_migration_lead(user) or is_platform_admin(user):
        return teams
    return teams.filter(memberships__user=user).distinct()


def editable_teams(user):
    """Teams ``user`` may enter products for."""
    teams = Team.objects.filter(kind=Team.Kind.MODELLING).order_by("name")
    return teams if is_platform_admin(user) else teams.filter(memberships__user=user).distinct()


def published_tree() -> DecisionTree | None:
    return DecisionTree.objects.filter(status=DecisionTree.Status.PUBLISHED).order_by("-number").first()


def facts_of(product: DataProduct) -> dict:
    """What the decision tree may ask about a product (decision_tree.FACTS)."""
    return {
        "kind": product.kind, "cadence": product.cadence, "criticality": product.criticality,
        "complexity": product.complexity, "classification": product.data_classification,
        "languages": [lang.lower() for lang in product.languages], "regulated": bool(product.regulatory_constraints),
        "in_use": product.in_use, "commercial_alternative": product.commercial_alternative, "gpus": product.gpus,
        "cores": product.cores, "memory_gb": product.memory_gb, "hours_per_week": product.hours_per_week,
        "dependents": product.dependents.count() if product.pk else 0,
    }


def current_triage(product: DataProduct):
    return product.triages.select_related("tree", "confirmed_by").first()


def mapping_for(product: DataProduct) -> EnvironmentMapping | None:
    """The template or bundle a product migrated with its R starts from: for a product using GPUs a GPU
    mapping first; then the mapping for its kind before the one for any kind. A product without GPUs never
    gets a GPU mapping."""
    gpus = product.gpus > 0
    mappings = (EnvironmentMapping.objects.filter(r=product.r).filter(Q(product_kind=product.kind) | Q(product_kind=""))
                .filter(for_gpus__in=[False, True] if gpus else [False]).select_related("template", "bundle"))
    ranked = sorted(mappings, key=lambda m: (m.for_gpus != gpus, m.product_kind == ""))
    return ranked[0] if ranked else None


def lessons(query: str = "", *, r: str = "", kind: str = ""):
    qs = Lesson.objects.select_related("product__team", "author")
    for word in query.split()[:8]:
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word))
    if r:
        qs = qs.filter(r=r)
    if kind:
        qs = qs.filter(product_kind=kind)
    return qs


def similar_lessons(product: DataProduct, r: str, *, limit: int = 5) -> list[Lesson]:
    """Lessons about products like this one: same R first, then same kind, then shared languages."""
    languages = {lang.lower() for lang in product.languages}
    candidates = Lesson.objects.filter(Q(r=r) | Q(product_kind=product.kind)).exclude(product=product)
    scored = []
    for lesson in candidates.select_related("product__team")[:200]:
        score = 3 * (lesson.r == r) + 2 * (lesson.product_kind == product.kind) + len(languages & set(lesson.languages))
        scored.append((score, lesson.created_at, lesson))
    scored.sort(key=lambda row: (-row[0], -row[1].timestamp()))
    return [lesson for _, _, lesson in scored[:limit]]


def r_of(product: DataProduct) -> str:
    """The approved R, else the R of its latest triage (chosen, else proposed), else ''."""
    if product.r:
        return product.r
    triage = product.triages.first()
    return (triage.chosen_r or triage.proposed_r) if triage else ""


# -- the dashboard ----------------------------------------------------------------------------------------
def counts_by(products, field: str, choices) -> list[tuple[str, int]]:
    found = dict(products.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
    return [(label, found.get(value, 0)) for value, label in choices]


def counts_by_r(products) -> list[tuple[str, int]]:
    """Products by R: the approved R, else the one their latest triage proposes; untriaged last."""
    tally = Counter(r_of(product) for product in products.prefetch_related("triages"))
    return [(label, tally.get(value, 0)) for value, label in R.choices] + [("Not triaged", tally.get("", 0))]


def counts_by_wave(products) -> list[tuple[str, int]]:
    found = dict(products.order_by().values_list("wave__name").annotate(n=Count("pk"))
                 .values_list("wave__name", "n"))
    names = list(Wave.objects.filter(products__in=products).distinct().order_by("starts_on", "name")
                 .values_list("name", flat=True))
    return [(name, found.get(name, 0)) for name in names] + [("No wave", found.get(None, 0))]


def burn_up(products, *, today: date | None = None, weeks: int = 12) -> list[tuple[date, int, int]]:
    """Per week (the last ``weeks`` ending today): (week end, products in scope, products done)."""
    today = today or timezone.localdate()
    rows = list(products.values_list("created_at", "completed_at"))
    points = []
    for n in range(weeks - 1, -1, -1):
        end = today - timedelta(days=7 * n)
        scope = sum(1 for created, _ in rows if timezone.localtime(created).date() <= end)
        done = sum(1 for _, completed in rows if completed and timezone.localtime(completed).date() <= end)
        points.append((end, scope, done))
    return points


def validation_results(products):
    return (ValidationCycle.objects.filter(parallel_run__product__in=products)
            .select_related("parallel_run__product__team").order_by("parallel_run__product__name", "number"))


def due_revisits(products, *, today: date | None = None):
    today = today or timezone.localdate()
    return products.filter(status=DataProduct.Status.RETAINED, revisit_on__lte=today)
