"""The migration that generalises DirectoryRoleMapping into IdentityRoleMapping keeps what exists: the rows
(as directory mappings) and the permissions groups hold on the model (under their new codenames)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0004_personal_access_tokens")]
AFTER = [("accounts", "0005_identity_role_mapping")]


def migrate(targets):
    """Migrate to ``targets``; the models as the database now has them (every app's applied migrations, not
    only the targets' ancestors: another app may be ahead of them)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets).apps


def migrate_to_the_newest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_mappings_and_their_permissions_survive(demo):
    try:
        check_the_migration()
    finally:
        migrate_to_the_newest()  # the tests after this one need the newest schema


def check_the_migration():
    old = migrate(BEFORE)
    Group, Permission = old.get_model("auth", "Group"), old.get_model("auth", "Permission")
    team = old.get_model("teams", "Team").objects.get(slug="finance")
    old.get_model("accounts", "DirectoryRoleMapping").objects.create(
        group="cn=finance-approvers,ou=groups,dc=example,dc=org", role="approver", team=team)
    old.get_model("accounts", "DirectoryRoleMapping").objects.create(group="ml-admins", role="admin")
    auditors = Group.objects.create(name="Mapping auditors")
    auditors.permissions.add(Permission.objects.get(codename="view_directoryrolemapping"))

    new = migrate(AFTER)
    rows = new.get_model("accounts", "IdentityRoleMapping").objects.order_by("group")
    assert [(m.source, m.group, m.role, m.team_id) for m in rows] == [
        ("directory", "cn=finance-approvers,ou=groups,dc=example,dc=org", "approver", team.pk),
        ("directory", "ml-admins", "admin", None)]
    codenames = set(new.get_model("auth", "Group").objects.get(name="Mapping auditors")
                    .permissions.values_list("codename", flat=True))
    assert codenames == {"view_identityrolemapping"}
    assert not new.get_model("auth", "Permission").objects.filter(codename__contains="directoryrolemapping").exists()
