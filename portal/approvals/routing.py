"""Which steering teams must decide a request, and why: the active ApprovalRules that match its facts.

A rule matches when all its conditions hold (no condition: always). Several matching rules for
the same team make one stage: reasons joined, the most approvals, the earliest group, the
shortest SLA. No matching rule at all still gives the default steering team a stage, so a
request is never approved by nobody.

A dataset access request (``request.data_owner`` set, portal.datasets) is routed by its content alone:
the dataset's data owner always (a stage of the owning team only they decide), InfoSec when the data is
confidential or restricted, and the rules an admin wrote for grants (``kinds contains dataset_grant``).
No stage ever falls to the requesting team: a request that would need one is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from portal.core.errors import ApplicationError
from portal.teams.models import Team

from .conditions import evaluate
from .facts import CONFIDENTIAL_CLASSES
from .models import ApprovalRule


@dataclass
class StageSpec:
    team: Team
    reason: str
    required_approvals: int = 1
    group: int = 1
    sla_hours: int = 48
    rules: list[str] = field(default_factory=list)
    approver: object = None  # a named person (a data owner): only they or their delegate decide


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
    if getattr(request, "data_owner_id", None) is not None:
        return _access_stages(request, facts)
    by_team: dict[int, StageSpec] = {}
    rules = matching_rules(facts)
    if facts.get("request_kind") in ("triage", "dataset_change"):  # only rules written for such requests
        rules = [rule for rule in rules if any(c.fact == "request_kind" for c in rule.conditions.all())]
    if facts.get("request_kind") == "dataset_change":
        return _dataset_change_stages(request, facts, rules)
    return _merged(rules, by_team) or [_default_stage(triage=facts.get("request_kind") == "triage")]


def _dataset_change_stages(request, facts: dict, rules) -> list[StageSpec]:
    """A dataset's data owner asked to change its class or retention: InfoSec when it becomes confidential or
    restricted, the rules written for dataset changes; at least the default steering team."""
    specs = _merged(rules, {})
    if facts.get("data_classification") in CONFIDENTIAL_CLASSES and not any(
            spec.team.slug == settings.PORTAL_INFOSEC_TEAM for spec in specs):
        infosec = Team.objects.filter(slug=settings.PORTAL_INFOSEC_TEAM, kind=Team.Kind.STEERING).first()
        if infosec is None:
            raise ApplicationError(f"Confidential and restricted data need InfoSec, and no steering team "
                                   f"'{settings.PORTAL_INFOSEC_TEAM}' exists; ask an admin.")
        specs.append(StageSpec(team=infosec, reason="The dataset becomes (or stays) confidential or restricted: "
                                                    "InfoSec reviews the change.", sla_hours=72))
    return sorted(specs, key=lambda s: (s.group, s.team.name)) or [_default_stage()]


def _access_stages(request, facts: dict) -> list[StageSpec]:
    """A dataset access request: the data owner, InfoSec by class, the rules written for grants."""
    owner, owning_team = request.data_owner, request.data_owner_team
    if owning_team is None or owning_team.pk == request.team_id:
        raise ApplicationError("A team does not ask for access to its own dataset.")
    specs = [StageSpec(team=owning_team, approver=owner, reason=f"{owner} owns the data and decides who may use it.",
                       rules=["data owner"])]
    if facts.get("data_classification") in CONFIDENTIAL_CLASSES:
        infosec = Team.objects.filter(slug=settings.PORTAL_INFOSEC_TEAM, kind=Team.Kind.STEERING).first()
        if infosec is None:
            raise ApplicationError(f"Confidential and restricted data need InfoSec, and no steering team "
                                   f"'{settings.PORTAL_INFOSEC_TEAM}' exists; ask an admin.")
        specs.append(StageSpec(team=infosec, reason="Confidential or restricted data: InfoSec reviews every grant.",
                               sla_hours=72, rules=["data classification"]))
    written = [rule for rule in matching_rules(facts)
               if any(c.fact == "kinds" and c.value == "dataset_grant" for c in rule.conditions.all())]
    taken = {spec.team.pk for spec in specs}
    specs += [spec for spec in _merged(written, {}) if spec.team.pk not in taken]
    if any(spec.team.pk == request.team_id for spec in specs):
        raise ApplicationError(f"This request would need a decision from {request.team}, the requesting team; "
                               "someone outside it must decide, so ask from another team or ask an admin.")
    return sorted(specs, key=lambda s: (s.group, s.approver is None, s.team.name))


def _merged(rules, by_team: dict[int, StageSpec]) -> list[StageSpec]:
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
    return sorted(by_team.values(), key=lambda s: (s.group, s.team.name))


def _default_stage(*, triage: bool = False) -> StageSpec:
    slug = settings.PORTAL_MIGRATION_TEAM if triage else settings.PORTAL_DEFAULT_STEERING_TEAM
    team = Team.objects.filter(slug=slug, kind=Team.Kind.STEERING).first()
    if team is None:
        raise ApplicationError(f"No approval rule applies and no steering team '{slug}' exists; ask an admin.")
    if triage:
        return StageSpec(team=team, reason=f"{team} reviews every migration triage.")
    return StageSpec(team=team, reason="No approval rule applies, so the default steering team reviews it.")
