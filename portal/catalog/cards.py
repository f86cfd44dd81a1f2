"""What the catalog shows per template and per bundle: description, cost at the default values,
and the steering teams that typically approve it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .models import ResourceKind
from .pricing import estimate_items, price_table
from .selectors import bundle_versions


@dataclass
class CatalogCard:
    name: str
    description: str
    url: str
    monthly: Decimal
    hourly: Decimal
    approvals: list = field(default_factory=list)  # approvals.preview.LikelyApproval
    parts: list[str] = field(default_factory=list)  # a bundle's items; a template's kind and version
    unavailable: str = ""  # why a bundle cannot be requested now

    @property
    def free(self) -> bool:
        return self.monthly == 0


def schema_defaults(schema: dict) -> dict:
    return {name: spec["default"] for name, spec in schema.get("properties", {}).items()
            if isinstance(spec, dict) and "default" in spec}


def catalog_cards(versions, bundles, *, approvals_for) -> tuple[list[CatalogCard], list[CatalogCard]]:
    """(bundle cards, template cards); the price table is read once. ``approvals_for(pairs, prices=...)``
    says which teams likely review [(version, values)] (approvals.preview, passed in by the page)."""
    from django.urls import reverse

    prices = price_table()

    def card(name, description, url, pairs, parts, unavailable=""):
        cost = estimate_items(pairs, prices=prices)
        return CatalogCard(name, description, url, cost.monthly, cost.hourly,
                           approvals_for(pairs, prices=prices), parts, unavailable)

    bundle_cards = []
    for bundle in bundles:
        specs = bundle_versions(bundle)
        missing = [title for title, version in specs if version is None]
        pairs = [(version, schema_defaults(version.parameter_schema)) for _, version in specs if version]
        bundle_cards.append(card(bundle.name, bundle.description, reverse("onboarding:new_bundle", args=[bundle.slug]),
                                 pairs, [title for title, _ in specs],
                                 f"{', '.join(missing)} is not offered right now." if missing else ""))
    kinds = list(ResourceKind.values)  # machines first, then data, then team tools
    template_cards = [
        card(v.template.name, v.template.description, reverse("onboarding:new", args=[v.template.slug]),
             [(v, schema_defaults(v.parameter_schema))],
             [kind for kind in [v.template.get_kind_display()] if kind != v.template.name] + [f"version {v.number}"])
        for v in sorted(versions, key=lambda v: (kinds.index(v.kind) if v.kind in kinds else 99, v.template.name))
    ]
    return bundle_cards, template_cards


def shared_conditions(cards: list[CatalogCard]) -> list:
    """Conditional approvals every card has: said once for the page and taken off the cards."""
    if not cards:
        return []
    shared = [a for a in cards[0].approvals if a.when and all(a in card.approvals for card in cards[1:])]
    for card in cards:
        card.approvals = [a for a in card.approvals if a not in shared]
    return shared
