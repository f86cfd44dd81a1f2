"""The facts approval rules look at, built from a request and its items' values."""

from __future__ import annotations

from decimal import Decimal

from portal.catalog.pricing import estimate_request

CONFIDENTIAL_CLASSES = ("confidential", "restricted")


def is_gpu_item(kind: str, values: dict) -> bool:
    return kind == "gpu_vm" or (kind == "cluster" and values.get("gpu_enabled") is True)


def facts_for(request) -> dict:
    """``{"kinds": [...], "any_gpu": bool, "monthly_cost": Decimal, "values.<name>": [...], ...}``."""
    items = list(request.items.select_related("template_version__template"))
    estimate = estimate_request(request)
    facts: dict = {
        "kinds": sorted({item.template_version.kind for item in items}),
        "any_gpu": any(is_gpu_item(item.template_version.kind, item.values) for item in items),
        "monthly_cost": estimate.monthly,
        "hourly_cost": estimate.hourly,
        "data_classification": request.data_classification,
        "item_count": len(items),
        "team": request.team.slug,
        "cost_centre": request.cost_centre,
        "expected_duration_days": request.expected_duration_days,
    }
    for item in items:
        for name, value in item.values.items():
            facts.setdefault(f"values.{name}", []).append(value)
    return facts


def as_json(facts: dict) -> dict:
    """The facts as stored on the request (Decimals as strings)."""
    return {key: (str(value) if isinstance(value, Decimal) else value) for key, value in facts.items()}


def risk_markers(request, *, high_cost: Decimal) -> list[str]:
    """What makes a request risky for an approver: GPU, confidential data, high cost."""
    markers = []
    if (request.routing_facts or {}).get("any_gpu"):
        markers.append("gpu")
    if request.data_classification in CONFIDENTIAL_CLASSES:
        markers.append("confidential")
    if request.estimated_monthly_cost is not None and request.estimated_monthly_cost > high_cost:
        markers.append("high_cost")
    return markers
