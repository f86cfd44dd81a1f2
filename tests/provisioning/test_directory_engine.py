"""The directory_group kind with the directory engine, against a real slapd (plain LDAP flavour)."""

import pytest

from provisioning.executor import execute_run
from tests.fixtures.directory_tree import LDAP_TREE, PORTAL_PASSWORD
from tests.fixtures.runs import make_run
from tests.fixtures.slapd import slapd  # noqa: F401  (session fixture)


@pytest.fixture
def directory_settings(in_process_worker, slapd):  # noqa: F811
    in_process_worker.PORTAL_DIRECTORY = {
        "flavour": "ldap", "server_uri": slapd.uri, "bind_dn": LDAP_TREE.portal_dn,
        "bind_password": PORTAL_PASSWORD, "groups_base_dn": LDAP_TREE.groups_base_dn,
        "users_base_dn": LDAP_TREE.users_base_dn, "placeholder_member_dn": LDAP_TREE.placeholder_dn,
    }
    return slapd


def test_group_with_the_team_members_and_unknown_people_reported(directory_settings, make_item, make_user, demo):
    team = demo.teams["churn-modelling"]
    make_user("alice", team=team)
    make_user("bob", team=team)
    item = make_item("directory_group", "directory", "ldap", {"name": "analysts"}, team=team)

    run = execute_run(make_run(item=item, action="apply").pk)
    assert run.status == "succeeded", run.error
    assert run.outputs["group_name"] == "ds-churn-modelling-analysts"
    assert run.outputs["unknown_members"] == ["requester"]  # in the team, not in the directory
    [group] = directory_settings.search(LDAP_TREE, LDAP_TREE.groups_base_dn, "(cn=ds-churn-modelling-analysts)",
                                        ("member",))
    assert sorted(group["member"]) == sorted([LDAP_TREE.user_dn("alice"), LDAP_TREE.user_dn("bob")])
    log = "\n".join(run.log_lines.values_list("text", flat=True))
    assert "requester was not found in the directory" in log

    destroyed = execute_run(make_run(item=item, action="destroy").pk)
    assert destroyed.status == "succeeded", destroyed.error
    assert directory_settings.search(LDAP_TREE, LDAP_TREE.groups_base_dn, "(cn=ds-churn-modelling-analysts)") == []


def test_an_unconfigured_directory_fails_the_run_clearly(in_process_worker, make_item):
    in_process_worker.PORTAL_DIRECTORY = {"flavour": "ldap", "server_uri": ""}
    item = make_item("directory_group", "directory", "ldap", {"name": "analysts"})
    run = execute_run(make_run(item=item, action="apply").pk)
    assert run.status == "failed" and "No directory is configured" in run.error


def test_membership_changes_follow_and_outside_changes_are_reconciled(
    directory_settings, make_item, make_user, demo, django_capture_on_commit_callbacks
):
    from portal.inventory.directory_groups import reconcile_groups, sync_team_groups
    from portal.inventory.services import record_resource
    from portal.teams.models import Membership

    team = demo.teams["churn-modelling"]
    make_user("alice", team=team)
    bob = make_user("bob", team=team)
    item = make_item("directory_group", "directory", "ldap", {"name": "sync"}, team=team)
    run = execute_run(make_run(item=item, action="apply").pk)
    record_resource(item=item, outputs=run.outputs)

    def members():
        [group] = directory_settings.search(LDAP_TREE, LDAP_TREE.groups_base_dn, "(cn=ds-churn-modelling-sync)",
                                            ("member",))
        return sorted(group.get("member", []))

    with django_capture_on_commit_callbacks() as callbacks:
        make_user("carol", team=team)
        Membership.objects.filter(user=bob).delete()
    assert len(callbacks) == 2  # each change queues a sync of the team's groups
    sync_team_groups(team)
    assert members() == sorted([LDAP_TREE.user_dn("alice"), LDAP_TREE.user_dn("carol")])

    directory_settings.modify(LDAP_TREE, f"dn: cn=ds-churn-modelling-sync,{LDAP_TREE.groups_base_dn}\n"
                                         f"changetype: modify\nadd: member\nmember: {LDAP_TREE.user_dn('dave')}\n")
    [report] = reconcile_groups(fix=False)
    assert report["added_outside"] == [LDAP_TREE.user_dn("dave")] and report["fixed"] is False
    assert LDAP_TREE.user_dn("dave") in members()  # only reported
    reconcile_groups(fix=True)
    assert members() == sorted([LDAP_TREE.user_dn("alice"), LDAP_TREE.user_dn("carol")])
    assert reconcile_groups(fix=False) == []
