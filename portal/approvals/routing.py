"""Which steering teams must decide a request, and why: the active ApprovalRules that match its facts.

A rule matches when all its conditions hold (no condition: always). Several matching rules for
the same team make one stage: reasons joined, the most approvals, the earliest group, the
shortest SLA. No matching rule at all still gives the default steering team a stage, so a
request is never approved by nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from portal.core.errors import ApplicationError
from portal.teams.models import Team

from .conditions import evaluate
from .models import ApprovalRule


@dataclass
class StageSpec:
    team: Team
    reason: str
    required_approvals: int = 1
    group: int = 1
    sla_hours: int = 48
    rules: list[str] = field(default_factory=list)


def active_rules() -> list[ApprovalRule]:
    rules = (ApprovalRule.objects.filter(is_active=True, team__kind=Team.Kind.STEERING)
             .select_related("team").prefetch_related("conditions").order_by("group", "name"))
    return list(rules)


def rules_matching(rules, facts: dict) -> list[ApprovalRule]:
    return [rule for rule in rules
            if all(evaluate(facts, c.fact, c.operator, c.value) for c in rule.conditions.all())]


def matching_rules(facts: dict) -> list[ApprovalRule]:
    return rules_matching(active_rules(), facts)


def stages_for(request, facts: dict) -> list[StageSpec]:
    by_team: dict[int, StageSpec] = {}
    rules = matching_rules(facts)
    if facts.get("request_kind") == "triage":  # a migration triage: only rules written for triages
        rules = [rule for rule in rules if any(c.fact == "request_kind" for c in rule.conditions.all())]
    for rule in rules:
        spec = by_team.get(rule.team_id)
        if spec is None:
            by_team[rule.team_id] = StageSpec(team=rule.team, reason=rule.reason, group=rule.group,
                                              required_approvals=rule.required_approvals,
                                              sla_hours=rule.sla_hours, rules=[rule.name])
            continue
        spec.reason = f"{spec.reason} {rule.reason}"[:300]
        spec.required_approvals = max(spec.required_approvals, rule.required_approvals)
        spec.group = min(spec.group, rule.group)
        spec.sla_hours = min(spec.sla_hours, rule.sla_hours)
        spec.rules.append(rule.name)
    if not by_team:
        return [_default_stage(triage=facts.get("request_kind") == "triage")]
    return sorted(by_team.values(), key=lambda s: (s.group, s.team.name))


def _default_stage(*, triage: bool = False) -> StageSpec:
    slug = settings.PORTAL_MIGRATION_TEAM if triage else settings.PORTAL_DEFAULT_STEERING_TEAM
    team = Team.objects.filter(slug=slug, kind=Team.Kind.STEERING).first()
    if team is None:
        raise ApplicationError(f"No approval rule applies and no steering team '{slug}' exists; ask an admin.")
    if triage:
        return StageSpec(team=team, reason=f"{team} reviews every migration triage.")
    return StageSpec(team=team, reason="No approval rule applies, so the default steering team reviews it.")
