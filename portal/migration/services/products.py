"""Entering data products: one at a time or a whole CSV/XLSX file (all rows or none)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.transitions import transition

from ..models import DataProduct
from ..permissions import can_edit_team

EDITABLE = ("name", "kind", "owner", "current_platform", "languages", "cadence", "data_sources", "criticality",
            "regulatory_constraints", "complexity", "in_use", "commercial_alternative", "cores", "memory_gb", "gpus",
            "hours_per_week")


def move_product(product: DataProduct, to: str, *, actor, data: dict | None = None, **fields) -> bool:
    """The product's door (audited as ``product.<status>``); a done state stamps ``completed_at``."""
    if to in DataProduct.DONE_STATES:
        fields.setdefault("completed_at", timezone.now())
    elif product.completed_at is not None:
        fields.setdefault("completed_at", None)
    return transition(product, to, transitions=DataProduct.TRANSITIONS, actor=actor, verb=f"product.{to}",
                      data={"name": product.name, **(data or {})}, **fields)


def _dependencies(team, names: list[str], *, also: dict | None = None) -> tuple[list[DataProduct], list[str]]:
    """Products of ``team`` called ``names`` (``also``: those being created alongside, by name)."""
    found, missing = [], []
    existing = {p.name: p for p in DataProduct.objects.filter(team=team, name__in=names)}
    for name in names:
        product = (also or {}).get(name) or existing.get(name)
        (found.append(product) if product else missing.append(name))
    return found, missing


@transaction.atomic
def create_product(*, actor, team, data: dict) -> DataProduct:
    """Enter one product of ``team``; ``data`` as product_data.clean_row (or the form) gives it."""
    if not can_edit_team(actor, team):
        raise PermissionDenied(f"Only members of {team} can enter its data products.")
    if DataProduct.objects.filter(team=team, name=data["name"]).exists():
        raise ApplicationError(f"{team} already has a product called “{data['name']}”.", field="name")
    depends, missing = _dependencies(team, data.get("depends_on") or [])
    if missing:
        raise ApplicationError(f"No product of {team} called {', '.join(missing)}.", field="depends_on")
    product = DataProduct.objects.create(team=team, **{name: data[name] for name in EDITABLE})
    product.depends_on.set(depends)
    record_event(actor=actor, verb="product.created", target=product, data={"name": product.name,
                                                                              "team": team.slug})
    return product


@transaction.atomic
def update_product(*, actor, product: DataProduct, data: dict) -> DataProduct:
    from ..permissions import can_edit_product

    if not can_edit_product(actor, product):
        raise PermissionDenied(f"Only members of {product.team} can change its data products.")
    if DataProduct.objects.filter(team=product.team, name=data["name"]).exclude(pk=product.pk).exists():
        raise ApplicationError(f"{product.team} already has a product called “{data['name']}”.", field="name")
    depends, missing = _dependencies(product.team, [n for n in data.get("depends_on") or [] if n != product.name])
    if missing:
        raise ApplicationError(f"No product of {product.team} called {', '.join(missing)}.", field="depends_on")
    changed = [name for name in EDITABLE if getattr(product, name) != data[name]]
    for name in changed:
        setattr(product, name, data[name])
    product.save(update_fields=[*changed, "updated_at"])
    product.depends_on.set(depends)
    record_event(actor=actor, verb="product.changed", target=product, data={"fields": changed})
    return product


@dataclass
class ImportResult:
    created: list[DataProduct] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row number, column, message)

    @property
    def ok(self) -> bool:
        return not self.errors


@transaction.atomic
def import_products(*, actor, team, rows: list[tuple[int, dict]], filename: str = "") -> ImportResult:
    """Create one product per row ((row number, text values)) — every row, or none when any row is wrong
    (the result lists each problem with its row and column)."""
    from ..product_data import clean_row

    if not can_edit_team(actor, team):
        raise PermissionDenied(f"Only members of {team} can import its data products.")
    result, cleaned, seen = ImportResult(), [], {}
    existing = set(DataProduct.objects.filter(team=team).values_list("name", flat=True))
    for number, raw in rows:
        data, errors = clean_row(raw)
        for column, messages in errors.items():
            result.errors += [(number, column, message) for message in messages]
        name = data.get("name")
        if name and name in existing:
            result.errors.append((number, "name", f"{team} already has a product called “{name}”."))
        elif name and name in seen:
            result.errors.append((number, "name", f"“{name}” is also on row {seen[name]}."))
        elif name:
            seen[name] = number
        cleaned.append((number, data))
    for number, data in cleaned:
        unknown = [n for n in data["depends_on"] if n not in seen and n not in existing]
        if unknown:
            result.errors.append((number, "depends_on", f"No product called {', '.join(unknown)} (in the file or "
                                                        f"already entered)."))
    if not rows:
        result.errors.append((0, "", "The file has no product rows."))
    if result.errors:
        return result  # nothing was written
    by_name: dict[str, DataProduct] = {}
    for _, data in cleaned:
        product = DataProduct.objects.create(team=team, **{name: data[name] for name in EDITABLE})
        by_name[product.name] = product
        result.created.append(product)
    for product, (_, data) in zip(result.created, cleaned, strict=True):
        depends, _ = _dependencies(team, data["depends_on"], also=by_name)
        product.depends_on.set(depends)
    record_event(actor=actor, verb="product.imported", target=team, data={
        "file": filename[:200], "count": len(result.created), "names": [p.name for p in result.created][:50]})
    return result
