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
    quota: object | None  # portal.teams.quotas.QuotaReport


def offered_instance_types(version) -> list[str]:
    spec = version.parameter_schema.get("properties", {}).get("instance_type", {})
    return [t for t in spec.get("enum", []) if isinstance(t, str)]


def advice_for(version, values: dict, prices=None) -> list[Advice]:
    if prices is None:
        prices = price_table()
    hourly = {key.split(":", 1)[1]: usd for key, (unit, usd) in prices.items() if key.startswith("ec2:")}
    return advise(kind=version.template.kind, values=values, offered=offered_instance_types(version), prices=hourly)


def estimate_panel(sections, *, team=None) -> EstimatePanel:
    from portal.teams.quotas import quota_report

    prices = price_table()
    pairs = [(section.version, section.current_values()) for section in sections]
    items = []
    for section, (version, values) in zip(sections, pairs, strict=True):
        cost = estimate_items([(version, values)], prices=prices)
        items.append(ItemEstimate(section.title, cost, advice_for(version, values, prices)))
    total = estimate_items(pairs, prices=prices)
    return EstimatePanel(items, total, quota_report(team, items=pairs) if team is not None else None)
