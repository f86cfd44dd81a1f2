"""Portal login with the directory's username and password (PORTAL_LDAP_LOGIN), against a real slapd."""

from __future__ import annotations

import html
import logging
import time

import pytest
from django.contrib.auth import get_user_model

from portal.accounts.models import IdentityRoleMapping
from portal.audit.models import AuditEvent
from portal.teams.models import Membership
from tests.accounts.conftest import BACKENDS
from tests.fixtures.directory_tree import LDAP_TREE, PORTAL_PASSWORD, TREES

Role = IdentityRoleMapping.Role
UNAVAILABLE = "cannot be reached right now"
WRONG_PASSWORD = "Please enter a correct username and password"


def text(response) -> str:
    return html.unescape(response.content.decode())


def teams_of(user) -> dict[str, str]:
    return dict(Membership.objects.filter(user=user).values_list("team__slug", "role"))


@pytest.mark.parametrize("flavour", ["ldap", "ad"])
def test_a_directory_user_logs_in_and_the_portal_user_follows_the_directory(
    flavour, directory_login, log_in, client, db
):
    tree = TREES[flavour]
    directory_login(tree=tree)
    response = log_in(tree.username("alice"), tree.person("alice").password)
    assert response.status_code == 302, text(response)
    assert client.session["_auth_user_backend"] == BACKENDS[1]  # after axes' gatekeeper
    alice = get_user_model().objects.get(username="alice")
    assert (alice.first_name, alice.last_name, alice.email) == ("Alice", "Archer", "alice@example.test")
    assert not alice.has_usable_password()  # the password stays in the directory
    assert client.get("/requests/").status_code == 200  # the session holds: pages load as alice

    # A portal user who already exists is updated from the directory at login.
    get_user_model().objects.create_user("carol", email="old@example.test", first_name="C.", password="local-pw-1")
    assert log_in(tree.username("carol"), tree.person("carol").password).status_code == 302
    carol = get_user_model().objects.get(username="carol")
    assert (carol.first_name, carol.last_name, carol.email) == ("Carol", "Cook", "carol@example.test")


def test_groups_give_roles_and_memberships_follow_them_at_each_login(
    directory_login, role_groups, log_in, demo
):
    tree, teams = LDAP_TREE, demo.teams
    alice_dn, password = tree.user_dn("alice"), tree.person("alice").password
    _, requesters_dn = role_groups.make(tree, [alice_dn])
    approvers, approvers_dn = role_groups.make(tree, [alice_dn])
    admins, admins_dn = role_groups.make(tree, [alice_dn])
    _, outer_dn = role_groups.make(tree, [requesters_dn])  # a group holding a group: its members count too
    # By DN written differently from the directory's spelling, and by name in another case.
    IdentityRoleMapping.objects.create(group=requesters_dn.upper().replace(",", ", "), role=Role.REQUESTER,
                                        team=teams["churn-modelling"])
    IdentityRoleMapping.objects.create(group=approvers.upper(), role=Role.APPROVER, team=teams["finance"])
    IdentityRoleMapping.objects.create(group=admins, role=Role.ADMIN)
    IdentityRoleMapping.objects.create(group=outer_dn, role=Role.APPROVER, team=teams["cloud-ops"])
    IdentityRoleMapping.objects.create(group="cn=nobody-here,ou=groups,dc=ldap,dc=test", role=Role.APPROVER,
                                        team=teams["infosec"])

    assert log_in("alice", password).status_code == 302
    alice = get_user_model().objects.get(username="alice")
    assert teams_of(alice) == {"churn-modelling": "member", "finance": "member", "cloud-ops": "member"}
    assert alice.is_staff
    events = AuditEvent.objects.filter(verb__in=["membership.added", "membership.removed", "user.staff_granted",
                                                 "user.staff_revoked"])
    assert sorted(events.values_list("verb", flat=True)) == ["membership.added"] * 3 + ["user.staff_granted"]
    added = events.get(verb="membership.added", object_id=str(teams["finance"].pk))
    assert added.data == {"user": "alice", "role": "member", "as": "approver", "group": approvers.upper(),
                          "via": "directory login"}

    # Meanwhile an admin adds her to InfoSec by hand and makes her lead of Cloud Ops; the directory
    # drops her from the approvers and admins groups.
    Membership.objects.filter(user=alice, team=teams["cloud-ops"]).update(role=Membership.Role.LEAD)
    role_groups.set_members(tree, approvers_dn, [])
    role_groups.set_members(tree, admins_dn, [])
    Membership.objects.create(user=alice, team=teams["infosec"])
    assert log_in("alice", password).status_code == 302
    alice.refresh_from_db()
    # InfoSec is mapped too, so the directory decides there: she is in no group mapped to it.
    assert teams_of(alice) == {"churn-modelling": "member", "cloud-ops": "lead"}
    assert not alice.is_staff
    assert sorted(events.values_list("verb", flat=True)[4:]) == ["membership.removed"] * 2 + ["user.staff_revoked"]
    removed = events.get(verb="membership.removed", object_id=str(teams["finance"].pk))
    assert removed.actor is None and removed.data["user"] == "alice" and removed.data["via"] == "directory login"

    # Nothing changed in the directory: a third login changes nothing and records nothing.
    before = events.count()
    assert log_in("alice", password).status_code == 302
    assert events.count() == before


def test_unmapped_teams_are_left_alone(directory_login, role_groups, log_in, demo):
    alice = get_user_model().objects.create_user("alice")
    Membership.objects.create(user=alice, team=demo.teams["mlops-enablement"])
    _, dn = role_groups.make(LDAP_TREE, [LDAP_TREE.user_dn("alice")])
    IdentityRoleMapping.objects.create(group=dn, role=Role.REQUESTER, team=demo.teams["churn-modelling"])
    assert log_in("alice", LDAP_TREE.person("alice").password).status_code == 302
    assert teams_of(alice) == {"mlops-enablement": "member", "churn-modelling": "member"}
    assert not get_user_model().objects.get(pk=alice.pk).is_staff  # no admin mapping: is_staff is not managed


def test_local_accounts_keep_working_and_wrong_passwords_are_refused(directory_login, log_in, client, demo):
    assert log_in("requester", "requester-demo").status_code == 302
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    for username, password in [("alice", "not-her-password"), ("alice", ""), ("nobody", "whatever-pw")]:
        response = log_in(username, password)
        assert response.status_code == 200
        if password:
            assert WRONG_PASSWORD in text(response)
        assert "_auth_user_id" not in client.session


def test_a_directory_outage_is_explained_and_local_accounts_still_log_in(
    directory_login, make_slapd, log_in, make_user
):
    make_user("local-person")
    server = make_slapd()
    directory_login(uri=server.uri)
    assert log_in("alice", LDAP_TREE.person("alice").password).status_code == 302
    server.stop()

    started = time.monotonic()
    response = log_in("alice", LDAP_TREE.person("alice").password)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert UNAVAILABLE in text(response) and WRONG_PASSWORD not in text(response)
    assert elapsed < 1.5, f"a stopped directory took {elapsed:.2f}s to report"
    assert log_in("local-person", "pw-local-person").status_code == 302


def test_a_hung_directory_times_out_with_the_same_message(directory_login, make_slapd, log_in, db):
    server = make_slapd()
    directory_login(uri=server.uri, receive_timeout=1)
    server.pause()  # accepts connections (kernel backlog) but never answers
    try:
        started = time.monotonic()
        response = log_in("alice", LDAP_TREE.person("alice").password)
        elapsed = time.monotonic() - started
    finally:
        server.resume()
    assert response.status_code == 200 and UNAVAILABLE in text(response)
    assert elapsed < 3.5, f"a hung directory held the login for {elapsed:.2f}s"


def test_a_wrong_service_account_password_is_a_clear_refusal(directory_login, log_in, db):
    directory_login(bind_password="not-the-portal-password")
    response = log_in("alice", LDAP_TREE.person("alice").password)
    assert response.status_code == 200
    assert "refused the portal's password check" in text(response)


def test_passwords_are_never_logged_nor_audited(directory_login, make_slapd, role_groups, log_in, demo, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django_auth_ldap")
    _, dn = role_groups.make(LDAP_TREE, [LDAP_TREE.user_dn("alice")])
    IdentityRoleMapping.objects.create(group=dn, role=Role.ADMIN)
    password = LDAP_TREE.person("alice").password
    assert log_in("alice", password).status_code == 302
    log_in("alice", "Typo-" + password)
    directory_login(bind_password="Wrong-" + PORTAL_PASSWORD)
    log_in("alice", password)
    server = make_slapd()
    directory_login(uri=server.uri)
    server.stop()
    log_in("alice", password)

    assert "django_auth_ldap" in {r.name for r in caplog.records}  # the backend did log (at DEBUG too)
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (password, PORTAL_PASSWORD):
        assert secret not in text
        assert not AuditEvent.objects.filter(data__icontains=secret).exists()


def test_directory_login_is_off_by_default(log_in, db):
    from django.conf import settings

    assert settings.PORTAL_LDAP_LOGIN is False
    assert settings.AUTHENTICATION_BACKENDS == ["axes.backends.AxesStandaloneBackend",
                                               "django.contrib.auth.backends.ModelBackend"]
    assert "directory (AD/LDAP)" not in text(log_in("alice", "x"))


def test_the_login_page_says_to_use_the_directory_account(directory_login, client, db):
    assert "Use your directory (AD/LDAP) username and password" in text(client.get("/login/"))


def test_with_local_login_off_directory_accounts_still_log_in_and_local_passwords_are_refused(
    directory_login, log_in, client, settings, demo
):
    settings.PORTAL_LOCAL_LOGIN = False
    settings.AUTHENTICATION_BACKENDS = [*BACKENDS[:2], "portal.accounts.local_login.NoPasswordBackend"]
    assert 'name="password"' in text(client.get("/login/"))  # the directory's form stays
    assert log_in("alice", LDAP_TREE.person("alice").password).status_code == 302
    response = log_in("requester", "requester-demo")  # the right local password, refused by the server
    assert response.status_code == 200 and WRONG_PASSWORD in text(response)
    assert "_auth_user_id" not in client.session
