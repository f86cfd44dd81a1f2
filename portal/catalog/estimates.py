"""The live panel beside a request form: cost per item and in total, quota left, sizing advice."""

from __future__ import annotations

from dataclasses import dataclass, field

from .pricing import CostEstimate, estimate_items, price_table
from .sizing import Advice, advise


@dataclass
class ItemEstimate:
    title: str
    cost: CostEstimate
    advice: list[Advice] = field(default_factory=list)


@dataclass
class EstimatePanel:
    items: list[ItemEstimate]
    total: CostEstimate
    quota: object | None  # portal.onboarding.quotas.QuotaReport


def offered_instance_types(version) -> list[str]:
    spec = version.parameter_schema.get("properties", {}).get("instance_type", {})
    return [t for t in spec.get("enum", []) if isinstance(t, str)]


def advice_for(version, values: dict, prices=None) -> list[Advice]:
    if prices is None:
        prices = price_table()
    hourly = {key.split(":", 1)[1]: usd for key, (unit, usd) in prices.items() if key.startswith("ec2:")}
    return advise(kind=version.template.kind, values=values, offered=offered_instance_types(version), prices=hourly)


def estimate_panel(sections, *, quota=None) -> EstimatePanel:
    return estimate_panel_for([(s.title, s.version, s.current_values()) for s in sections], quota=quota)


def estimate_panel_for(entries, *, quota=None) -> EstimatePanel:
    """The panel for [(title, version, values)]: a form being filled in, or a draft under review.
    ``quota(pairs)`` reports the team's quota with these items (onboarding.quotas, passed by the page)."""
    prices = price_table()
    pairs = [(version, values) for _, version, values in entries]
    items = [ItemEstimate(title, estimate_items([(version, values)], prices=prices),
                          advice_for(version, values, prices)) for title, version, values in entries]
    total = estimate_items(pairs, prices=prices)
    return EstimatePanel(items, total, quota(pairs) if quota is not None else None)
