"""Finding 4: ``is_staff`` opens the Django admin's door and nothing else. What a person sees and does
in the portal comes from their teams or the platform admin role (``accounts.platform_admin``, held
through the "Portal admins" group or as a superuser)."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from portal.approvals.delegations import create_delegation
from portal.approvals.sla import escalation_recipients
from portal.core.errors import PermissionDenied
from portal.core.roles import is_platform_admin, platform_admins
from portal.teams.models import Membership
from provisioning.models import Run

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def test_plain_staff_sees_no_team_and_no_request(client, world):
    client.force_login(world.people["staff"])
    listing = client.get(reverse("onboarding:list")).content.decode()
    assert world.in_review.title not in listing and world.active.title not in listing
    assert client.get(reverse("onboarding:detail", args=[world.in_review.pk])).status_code == 404
    assert client.get(reverse("teams:dashboard", args=[world.team.slug])).status_code == 404
    assert "Approval rules" not in client.get(reverse("catalog:index")).content.decode()  # no admin shortcuts


def test_plain_staff_cannot_queue_a_drift_check_nor_end_a_delegation(client, world):
    client.force_login(world.people["staff"])
    runs = Run.objects.count()
    assert client.post(reverse("inventory:drift", args=[world.resource.pk, "check"])).status_code == 404
    assert Run.objects.count() == runs
    assert client.post(reverse("approvals:end_delegation", args=[world.delegation.pk])).status_code == 404
    world.delegation.refresh_from_db()
    assert world.delegation.ends_at > timezone.now()


def test_plain_staff_cannot_delegate_for_someone_else(world):
    now = timezone.now()
    try:
        create_delegation(actor=world.people["staff"], from_user=world.people["mlops"], to_user=world.people["staff"],
                          starts_at=now, ends_at=now + timedelta(days=1))
    except PermissionDenied as refusal:
        assert "your own approvals" in refusal.message
    else:
        raise AssertionError("plain staff delegated someone else's approvals")


def test_a_platform_admin_from_the_group_sees_and_operates_every_team(client, world):
    admin = world.people["admin"]
    assert is_platform_admin(admin) and not admin.is_superuser
    client.force_login(admin)
    assert world.in_review.title in client.get(reverse("onboarding:list")).content.decode()
    assert client.get(reverse("teams:dashboard", args=[world.team.slug])).status_code == 200
    runs = Run.objects.count()
    response = client.post(reverse("inventory:drift", args=[world.resource.pk, "check"]))
    assert response.status_code == 302 and Run.objects.count() == runs + 1
    assert "Approval rules" in client.get(reverse("catalog:index")).content.decode()  # the admin shortcuts


def test_the_demo_admin_keeps_working(client, world, demo):
    client.force_login(demo.people["admin"])
    assert is_platform_admin(demo.people["admin"])
    assert client.get(reverse("teams:dashboard", args=[world.team.slug])).status_code == 200
    assert client.get(reverse("onboarding:detail", args=[world.in_review.pk])).status_code == 200


def test_escalations_without_a_lead_go_to_platform_admins_not_to_staff(world):
    Membership.objects.filter(team__slug="mlops-enablement").update(role=Membership.Role.MEMBER)  # no lead
    recipients = escalation_recipients(world.stage)
    assert world.people["admin"] in recipients and world.people["staff"] not in recipients
    assert set(recipients) == set(platform_admins())


def test_is_staff_is_read_only_where_it_is_the_admins_door():
    """A new ``.is_staff`` check in a portal page or service would make the flag a role again."""
    allowed = {"accounts/identity_roles.py",  # the admin role sets it (with the Portal admins group)
               "core/context_processors.py"}  # the admin shortcuts lead through the admin's door
    readers = set()
    for path in PORTAL.rglob("*.py"):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.Attribute) and node.attr == "is_staff" for node in ast.walk(tree)):
            readers.add(str(path.relative_to(PORTAL)))
    assert readers <= allowed, f"is_staff read in {sorted(readers - allowed)}"
