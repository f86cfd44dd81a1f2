"""Default approval rules and demo approvers for each steering team (idempotent; admins edit later)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

from portal.teams.models import Membership, Team

from .models import ApprovalRule, RuleCondition

# name, team slug, group, sla hours, reason, conditions [(fact, operator, value)] — all must hold
DEFAULT_RULES = [
    ("Every request", "mlops-enablement", 1, 48,
     "Every request is reviewed by MLOps enablement.", [("always", "always", None)]),
    ("GPU resources", "finance", 2, 48,
     "GPU machines are expensive; Finance checks the budget.", [("any_gpu", "is_true", None)]),
    ("High monthly cost", "finance", 2, 48,
     "The estimated monthly cost is above the Finance threshold.", [("monthly_cost", "gt", "HIGH_COST")]),
    ("Confidential data", "infosec", 1, 72,
     "Confidential or restricted data needs InfoSec's review.",
     [("data_classification", "in", ["confidential", "restricted"])]),
    ("Kubernetes clusters", "cloud-ops", 1, 48,
     "Clusters are operated with Cloud Ops.", [("kinds", "contains", "cluster")]),
]
# username, password, team slug, role — local demo logins only
DEMO_APPROVERS = [
    ("finance-approver", "finance-demo", "finance", Membership.Role.LEAD),
    ("infosec-approver", "infosec-demo", "infosec", Membership.Role.LEAD),
    ("cloudops-approver", "cloudops-demo", "cloud-ops", Membership.Role.LEAD),
]


def ensure_default_rules(teams: dict[str, Team]) -> list[ApprovalRule]:
    rules = []
    for name, slug, group, sla_hours, reason, conditions in DEFAULT_RULES:
        rule, created = ApprovalRule.objects.get_or_create(name=name, defaults={
            "team": teams[slug], "group": group, "sla_hours": sla_hours, "reason": reason})
        if created:
            for fact, operator, value in conditions:
                value = settings.PORTAL_HIGH_COST_MONTHLY if value == "HIGH_COST" else value
                RuleCondition.objects.create(rule=rule, fact=fact, operator=operator, value=value)
        rules.append(rule)
    return rules


def ensure_demo_approvers(teams: dict[str, Team]) -> list[tuple[str, str]]:
    User = get_user_model()
    logins = []
    for username, password, slug, role in DEMO_APPROVERS:
        user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(team=teams[slug], user=user, defaults={"role": role})
        logins.append((username, password if created or user.check_password(password) else "(changed)"))
    return logins
