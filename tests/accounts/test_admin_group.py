"""The "Portal admins" group: what a portal admin may do in the Django admin, granted with the admin
role by a directory login (real slapd) and taken away with it; the demo admin stays a superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from portal.accounts.admin_group import PORTAL_ADMINS, ensure_portal_admins_group
from portal.accounts.models import IdentityRoleMapping
from portal.audit.models import AuditEvent
from tests.fixtures.directory_tree import LDAP_TREE

Role = IdentityRoleMapping.Role
TEMPLATES = "/admin/catalog/resourcetemplate/"
# What an admin manages (change lists and add pages) and may only look at.
ADMIN_PAGES = [TEMPLATES, f"{TEMPLATES}add/", "/admin/catalog/templateversion/", "/admin/catalog/bundle/",
               "/admin/catalog/price/", "/admin/approvals/approvalrule/", "/admin/approvals/approvalrule/add/",
               "/admin/teams/team/", "/admin/teams/team/add/", "/admin/teams/quota/",
               "/admin/inventory/provisionedresource/", "/admin/provisioning/run/", "/admin/audit/auditevent/"]


def codenames(group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_group_exists_after_migrate_with_what_an_admin_needs_and_no_audit_writes(db):
    group = Group.objects.get(name=PORTAL_ADMINS)
    perms = codenames(group)
    for needed in ("catalog.add_resourcetemplate", "catalog.change_resourcetemplate", "catalog.change_templateversion",
                   "catalog.change_price", "approvals.add_approvalrule", "approvals.change_approvalrule",
                   "approvals.delete_rulecondition", "teams.change_team", "teams.add_membership",
                   "teams.change_quota", "inventory.view_provisionedresource", "provisioning.view_run",
                   "audit.view_auditevent", "accounts.view_user"):
        assert needed in perms, needed
    for never in ("audit.delete_auditevent", "audit.change_auditevent", "audit.add_auditevent",
                  "catalog.delete_resourcetemplate", "provisioning.change_run", "provisioning.delete_run",
                  "inventory.change_provisionedresource", "accounts.change_user",
                  "accounts.change_identityrolemapping", "auth.change_group"):
        assert never not in perms, never


def test_ensuring_it_again_changes_nothing_repairs_gaps_and_strips_audit_writes(db):
    group = Group.objects.get(name=PORTAL_ADMINS)
    before = codenames(group)
    assert codenames(ensure_portal_admins_group()) == before and Group.objects.filter(name=PORTAL_ADMINS).count() == 1

    group.permissions.remove(Permission.objects.get(codename="change_quota"))
    group.permissions.add(Permission.objects.get(codename="delete_auditevent"))
    assert codenames(ensure_portal_admins_group()) == before


def test_a_directory_admin_can_work_in_the_admin_and_a_requester_cannot(
    directory_login, role_groups, log_in, client, demo
):
    tree = LDAP_TREE
    admins, admins_dn = role_groups.make(tree, [tree.user_dn("alice")])
    _, requesters_dn = role_groups.make(tree, [tree.user_dn("bob")])
    IdentityRoleMapping.objects.create(group=admins, role=Role.ADMIN)
    IdentityRoleMapping.objects.create(group=requesters_dn, role=Role.REQUESTER, team=demo.teams["churn-modelling"])

    assert log_in("alice", tree.person("alice").password).status_code == 302
    alice = get_user_model().objects.get(username="alice")
    assert alice.is_staff and not alice.is_superuser
    assert list(alice.groups.values_list("name", flat=True)) == [PORTAL_ADMINS]
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 200, url
    assert "Resource templates" in client.get("/admin/").content.decode()
    # Read-only where the admin may only look: the audit trail cannot be deleted, runs cannot be edited.
    assert not alice.has_perm("audit.delete_auditevent") and not alice.has_perm("provisioning.change_run")
    event = AuditEvent.objects.first()
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    granted = AuditEvent.objects.get(verb="user.staff_granted", object_id=str(alice.pk))
    assert granted.data["permissions_group"] == PORTAL_ADMINS

    assert log_in("bob", tree.person("bob").password).status_code == 302
    bob = get_user_model().objects.get(username="bob")
    assert not bob.is_staff and not bob.groups.exists()
    response = client.get(TEMPLATES)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")

    # The directory takes her out of the admins group: the next login takes the role away, group and all.
    role_groups.set_members(tree, admins_dn, [])
    assert log_in("alice", tree.person("alice").password).status_code == 302
    alice.refresh_from_db()
    assert not alice.is_staff and not alice.groups.filter(name=PORTAL_ADMINS).exists()
    assert client.get(TEMPLATES).status_code == 302
    revoked = AuditEvent.objects.get(verb="user.staff_revoked", object_id=str(alice.pk))
    assert revoked.data["permissions_group"] == PORTAL_ADMINS


def test_an_existing_staff_member_missing_the_group_gets_it_at_the_next_login(
    directory_login, role_groups, log_in, demo
):
    alice = get_user_model().objects.create_user("alice", is_staff=True)  # made staff before the group existed
    admins, _ = role_groups.make(LDAP_TREE, [LDAP_TREE.user_dn("alice")])
    IdentityRoleMapping.objects.create(group=admins, role=Role.ADMIN)
    assert log_in("alice", LDAP_TREE.person("alice").password).status_code == 302
    assert alice.groups.filter(name=PORTAL_ADMINS).exists()
    assert AuditEvent.objects.filter(verb="user.staff_granted", object_id=str(alice.pk)).count() == 1


@pytest.mark.parametrize("runs", [1, 2])
def test_the_demo_admin_is_a_superuser_and_in_the_group(demo, runs):
    from portal.accounts.seed import ensure_demo_people
    from portal.teams.seed import ensure_teams

    for _ in range(runs - 1):
        ensure_demo_people(ensure_teams())
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert list(admin.groups.values_list("name", flat=True)) == [PORTAL_ADMINS]
