"""Demo teams for the embedded default (and for tests); the demo people are in accounts.seed."""

from __future__ import annotations

from .models import Team

STEERING_TEAMS = [
    ("mlops-enablement", "MLOps enablement"),
    ("cloud-ops", "Cloud Ops"),
    ("infosec", "InfoSec"),
    ("finance", "Finance"),
]
DEMO_TEAM = ("churn-modelling", "Churn modelling")


def ensure_teams() -> dict[str, Team]:
    teams = {}
    for slug, name in STEERING_TEAMS:
        teams[slug], _ = Team.objects.get_or_create(slug=slug, defaults={"name": name, "kind": Team.Kind.STEERING})
    slug, name = DEMO_TEAM
    teams[slug], _ = Team.objects.get_or_create(slug=slug, defaults={"name": name, "kind": Team.Kind.MODELLING})
    return teams


DEMO_QUOTA = {"max_gpus": 4, "max_vms": 6, "max_clusters": 1, "max_monthly_usd": 5000}


def ensure_demo_quota(teams: dict[str, Team]):
    """The demo modelling team's quota (admins edit it in the admin)."""
    from .models import Quota

    return Quota.objects.get_or_create(team=teams[DEMO_TEAM[0]], defaults=DEMO_QUOTA)[0]
