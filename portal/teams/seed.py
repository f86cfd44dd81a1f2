"""Demo teams and people for the embedded default (and for tests)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from .models import Membership, Team

STEERING_TEAMS = [
    ("mlops-enablement", "MLOps enablement"),
    ("cloud-ops", "Cloud Ops"),
    ("infosec", "InfoSec"),
    ("finance", "Finance"),
]
DEMO_TEAM = ("churn-modelling", "Churn modelling")
# username, password, team slug (None: admin), is_staff — local demo logins only
DEMO_PEOPLE = [
    ("requester", "requester-demo", DEMO_TEAM[0], False),
    ("approver", "approver-demo", "mlops-enablement", False),
    ("admin", "admin-demo", None, True),
]


def ensure_teams() -> dict[str, Team]:
    teams = {}
    for slug, name in STEERING_TEAMS:
        teams[slug], _ = Team.objects.get_or_create(slug=slug, defaults={"name": name, "kind": Team.Kind.STEERING})
    slug, name = DEMO_TEAM
    teams[slug], _ = Team.objects.get_or_create(slug=slug, defaults={"name": name, "kind": Team.Kind.MODELLING})
    return teams


def ensure_demo_people(teams: dict[str, Team]) -> list[tuple[str, str]]:
    User = get_user_model()
    logins = []
    for username, password, team_slug, is_staff in DEMO_PEOPLE:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": is_staff, "is_superuser": is_staff,
                                         "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        if team_slug:
            Membership.objects.get_or_create(team=teams[team_slug], user=user)
        elif is_staff:  # the demo admin: a superuser, and in the admins' group like directory admins
            from portal.accounts.admin_group import portal_admins_group

            user.groups.add(portal_admins_group())
        logins.append((username, password if created or user.check_password(password) else "(changed)"))
    return logins


DEMO_QUOTA = {"max_gpus": 4, "max_vms": 6, "max_clusters": 1, "max_monthly_usd": 5000}


def ensure_demo_quota(teams: dict[str, Team]):
    """The demo modelling team's quota (admins edit it in the admin)."""
    from .models import Quota

    return Quota.objects.get_or_create(team=teams[DEMO_TEAM[0]], defaults=DEMO_QUOTA)[0]
