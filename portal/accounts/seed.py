"""Demo logins for the embedded run and the tests (local accounts only)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from portal.teams.models import Membership, Team
from portal.teams.seed import DEMO_TEAM

from .admin_group import portal_admins_group

# username, password, team slug (None: admin), is_staff — local demo logins only
DEMO_PEOPLE = [
    ("requester", "requester-demo", DEMO_TEAM[0], False),
    ("approver", "approver-demo", "mlops-enablement", False),
    ("admin", "admin-demo", None, True),
]


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
            user.groups.add(portal_admins_group())
        logins.append((username, password if created or user.check_password(password) else "(changed)"))
    return logins
