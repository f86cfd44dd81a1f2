"""Which steering teams will likely review something before it is requested: the catalog's
"approved by" line and the review step of the request wizard. The real stages are still
decided at submit, from the request's own values (routing.stages_for)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from portal.teams.models import Team

from .facts import facts_for_items
from .routing import active_rules, rules_matching

# Request details the catalog cannot know yet, and how to say that a team depends on them.
WHAT_IFS = [({"data_classification": "confidential"}, "if the data is confidential or restricted")]


@dataclass(frozen=True)
class LikelyApproval:
    team: str
    reason: str
    when: str = ""  # "": with the default values; otherwise the condition, in words


def likely_approvals(pairs, *, rules=None, prices=None) -> list[LikelyApproval]:
    """Teams that review [(version, values)] with the details' defaults, then those that join under
    WHAT_IFS; the default steering team when no rule applies."""
    from portal.catalog.pricing import estimate_items

    pairs = list(pairs)
    rules = active_rules() if rules is None else rules
    facts = facts_for_items(pairs, estimate=estimate_items(pairs, prices=prices))
    found: dict[str, LikelyApproval] = {}
    for rule in rules_matching(rules, facts):
        found.setdefault(rule.team.name, LikelyApproval(rule.team.name, rule.reason))
    if not found:
        team = Team.objects.filter(slug=settings.PORTAL_DEFAULT_STEERING_TEAM).first()
        if team is not None:
            found[team.name] = LikelyApproval(team.name, "No approval rule applies, so the default team reviews it.")
    for changes, when in WHAT_IFS:
        for rule in rules_matching(rules, {**facts, **changes}):
            found.setdefault(rule.team.name, LikelyApproval(rule.team.name, rule.reason, when))
    return list(found.values())
