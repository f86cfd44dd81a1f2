"""The admin-edited mapping from directory groups to portal roles, and the settings check."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.accounts.checks import check_directory_login
from portal.accounts.identity_roles import matching_mappings
from portal.accounts.models import IdentityRoleMapping

Role = IdentityRoleMapping.Role


@pytest.mark.parametrize(("role", "team", "field"), [
    (Role.REQUESTER, "finance", "team"),  # a requester needs a modelling team
    (Role.APPROVER, "churn-modelling", "team"),  # an approver needs a steering team
    (Role.APPROVER, None, "team"),
    (Role.ADMIN, "finance", "team"),  # admin is not a team role
])
def test_a_mapping_names_the_right_kind_of_team(demo, role, team, field):
    mapping = IdentityRoleMapping(group="ml-people", role=role, team=demo.teams.get(team))
    with pytest.raises(ValidationError) as caught:
        mapping.full_clean()
    assert field in caught.value.message_dict


def test_a_group_is_a_valid_dn_or_a_name(demo):
    with pytest.raises(ValidationError, match="not a valid DN"):
        IdentityRoleMapping(group="cn=a,=broken", role=Role.ADMIN).full_clean()
    for group in ("  cn=ML People,ou=groups,dc=example,dc=org ", "ml-people"):
        mapping = IdentityRoleMapping(group=group, role=Role.REQUESTER, team=demo.teams["churn-modelling"])
        mapping.full_clean()
        assert mapping.group == group.strip()


def test_the_database_refuses_a_team_on_an_admin_mapping(demo):
    with pytest.raises(IntegrityError), transaction.atomic():
        IdentityRoleMapping.objects.create(group="x", role=Role.ADMIN, team=demo.teams["finance"])


def test_dns_match_as_the_directory_compares_them_and_names_ignore_case():
    mappings = [IdentityRoleMapping(group="CN=Smith\\, Jane,OU=Groups,DC=x", role=Role.ADMIN),
                IdentityRoleMapping(group="ML-People", role=Role.ADMIN),
                IdentityRoleMapping(group="cn=other,ou=groups,dc=x", role=Role.ADMIN)]
    found = matching_mappings(mappings, ["cn=smith\\2c jane, ou=groups, dc=x"], ["ml-people"])
    assert [m.group for m in found] == ["CN=Smith\\, Jane,OU=Groups,DC=x", "ML-People"]


def test_admins_edit_mappings_in_the_admin(admin_client, demo):
    assert admin_client.get("/admin/accounts/identityrolemapping/").status_code == 200
    response = admin_client.post("/admin/accounts/identityrolemapping/add/", {
        "source": "directory", "group": "cn=finance-approvers,ou=groups,dc=example,dc=org", "role": "approver",
        "team": demo.teams["finance"].pk})
    assert response.status_code == 302, response.content.decode()
    response = admin_client.post("/admin/accounts/identityrolemapping/add/", {
        "source": "oidc", "group": "ml-people", "role": "approver", "team": demo.teams["churn-modelling"].pk})
    assert response.status_code == 200 and "needs a steering team" in response.content.decode()
    assert IdentityRoleMapping.objects.count() == 1


def test_the_settings_check_catches_a_login_without_a_directory(settings):
    assert check_directory_login(None) == []  # off: nothing to check
    settings.PORTAL_LDAP_LOGIN = True
    settings.PORTAL_DIRECTORY = {"flavour": "ldap", "server_uri": ""}
    assert [e.id for e in check_directory_login(None)] == ["accounts.E002"]
    settings.PORTAL_DIRECTORY = {"flavour": "ldap", "server_uri": "ldap://127.0.0.1:1", "bind_dn": "",
                                 "bind_password": "", "groups_base_dn": "ou=g,dc=x", "users_base_dn": "ou=p,dc=x"}
    [error] = check_directory_login(None)
    assert error.id == "accounts.E003" and "placeholder_member_dn" in error.msg
