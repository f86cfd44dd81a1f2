"""The facts approval rules look at, built from a request and its items' values."""

from __future__ import annotations

from decimal import Decimal

from portal.catalog.pricing import estimate_items

CONFIDENTIAL_CLASSES = ("confidential", "restricted")


def is_gpu_item(kind: str, values: dict) -> bool:
    return kind == "gpu_vm" or (kind == "cluster" and values.get("gpu_enabled") is True)


def facts_for(request, pairs) -> dict:
    """``{"kinds": [...], "any_gpu": bool, "monthly_cost": Decimal, "values.<name>": [...], ...}`` of a
    request asking for ``pairs`` ([(version, values)]). A change request's pairs are the resources it
    changes, with their new values (modify); a decommission costs nothing."""
    pairs = list(pairs)
    facts = facts_for_items(
        pairs, estimate=estimate_items([] if request.kind == "decommission" else pairs),
        data_classification=request.data_classification, team=request.team.slug, cost_centre=request.cost_centre,
        expected_duration_days=request.expected_duration_days)
    facts["request_kind"] = request.kind
    return facts


def facts_for_items(pairs, *, estimate=None, data_classification: str = "internal", team: str = "",
                    cost_centre: str = "", expected_duration_days: int | None = None) -> dict:
    """The same facts for [(version, values)] not (yet) in a request: the catalog's typical approvals."""
    pairs = list(pairs)
    estimate = estimate if estimate is not None else estimate_items(pairs)
    facts: dict = {
        "kinds": sorted({version.kind for version, _ in pairs}),
        "any_gpu": any(is_gpu_item(version.kind, values) for version, values in pairs),
        "monthly_cost": estimate.monthly,
        "hourly_cost": estimate.hourly,
        "data_classification": data_classification,
        "item_count": len(pairs),
        "team": team,
        "cost_centre": cost_centre,
        "expected_duration_days": expected_duration_days,
        "request_kind": "new",
    }
    for _, values in pairs:
        for name, value in values.items():
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
