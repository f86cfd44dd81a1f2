"""Creating, updating, reading and deleting groups, in both flavours, checked with ldapsearch."""

from __future__ import annotations

import uuid

import pytest

from provisioning.directory import AD_GLOBAL_SECURITY_GROUP, DirectoryError, DirectoryGroups, GroupNotFound
from tests.directory.conftest import config_for
from tests.fixtures.directory_tree import AD_TREE


def test_create_group_with_members(groups, seen, tree, group_name):
    result = groups.ensure_group(group_name, "Fraud team: model training", ["alice", "bob@example.test"])

    assert result.created is True
    assert result.group_dn == f"cn={group_name},{tree.groups_base_dn}"
    assert set(result.members) == set(result.added) == {seen.dn("alice"), seen.dn("bob")}
    assert result.complete
    entry = seen.group(group_name)
    assert entry is not None and entry["dn"] == [result.group_dn]
    assert entry["cn"] == [group_name]
    assert entry["description"] == ["Fraud team: model training"]
    assert set(entry["member"]) == {seen.dn("alice"), seen.dn("bob")}
    if tree.flavour == "ad":
        assert "group" in entry["objectClass"]
        assert entry["sAMAccountName"] == [group_name]
        assert entry["groupType"] == [str(AD_GLOBAL_SECURITY_GROUP)]
    else:
        assert "groupOfNames" in entry["objectClass"]
    # The member values point at the real entries: the memberof overlay followed them.
    assert result.group_dn in seen.member_of("alice")
    assert result.group_dn not in seen.member_of("carol")


def test_ensure_group_is_idempotent_and_updates(groups, seen, group_name):
    first = groups.ensure_group(group_name, "v1", ["alice", "bob"])
    again = groups.ensure_group(group_name, "v1", ["alice", "bob"])
    assert (again.created, again.added, again.removed) == (False, (), ())
    assert again.members == first.members
    assert seen.members(group_name) == {seen.dn("alice"), seen.dn("bob")}

    changed = groups.ensure_group(group_name, "v2", ["alice", "carol"])
    assert changed.created is False
    assert changed.added == (seen.dn("carol"),)
    assert changed.removed == (seen.dn("bob"),)
    assert seen.members(group_name) == {seen.dn("alice"), seen.dn("carol")}
    assert seen.group(group_name)["description"] == ["v2"]

    groups.ensure_group(group_name, "", ["alice", "carol"])
    assert "description" not in seen.group(group_name)


def test_unknown_and_ambiguous_members_are_reported_not_dropped(groups, seen, group_name):
    requested = ["alice", "ghost", "ghost@example.test", "shared@example.test"]
    result = groups.ensure_group(group_name, "", requested)

    assert result.unknown_members == ("ghost", "ghost@example.test")
    assert result.ambiguous_members == ("shared@example.test",)  # dave and erin share it
    assert not result.complete
    assert result.members == (seen.dn("alice"),)
    assert seen.members(group_name) == {seen.dn("alice")}


def test_same_person_by_username_and_email_is_one_member(groups, seen, tree, group_name):
    result = groups.ensure_group(group_name, "", [tree.username("bob"), "bob@example.test", " bob "])
    assert result.members == (seen.dn("bob"),)
    assert seen.members(group_name) == {seen.dn("bob")}


def test_username_attribute_follows_the_flavour(groups, seen, tree, group_name):
    # jane's AD logon name (sAMAccountName) is "jsmith"; her LDAP uid is "jane,ops=1".
    result = groups.ensure_group(group_name, "", ["jsmith", "jane,ops=1"])
    if tree.flavour == "ad":
        assert result.unknown_members == ("jane,ops=1",)
    else:
        assert result.unknown_members == ("jsmith",)
    assert seen.members(group_name) == {seen.dn("jane")}


def test_ad_computer_accounts_are_not_people(slapd):
    tree = AD_TREE
    groups = DirectoryGroups(config_for(slapd.uri, tree))
    name = f"ds-test-{uuid.uuid4().hex[:10]}"
    assert slapd.search(tree, tree.users_base_dn, "(sAMAccountName=build01)")  # it is there...
    result = groups.ensure_group(name, "", ["build01"])
    assert result.unknown_members == ("build01",)  # ...but never becomes a member
    groups.delete_group(name)


def test_empty_group_and_the_placeholder(groups, seen, tree, group_name):
    result = groups.ensure_group(group_name, "", [])
    assert result.members == ()
    assert groups.read_members(group_name) == ()
    if tree.flavour == "ldap":  # groupOfNames must have a member: the placeholder holds the place
        assert seen.members(group_name) == {tree.placeholder_dn}
    else:
        assert "member" not in seen.group(group_name)

    filled = groups.set_members(group_name, ["alice"])
    assert filled.added == (seen.dn("alice"),) and filled.removed == ()
    assert seen.members(group_name) == {seen.dn("alice")}  # placeholder gone

    emptied = groups.set_members(group_name, [])
    assert emptied.removed == (seen.dn("alice"),) and emptied.members == ()
    expected = {tree.placeholder_dn} if tree.flavour == "ldap" else set()
    assert set(seen.group(group_name).get("member", [])) == expected


def test_read_members_lists_real_members(groups, seen, group_name):
    groups.ensure_group(group_name, "", ["carol", "alice"])
    assert groups.read_members(group_name) == tuple(sorted([seen.dn("alice"), seen.dn("carol")]))


def test_delete_group_is_idempotent(groups, seen, group_name):
    created = groups.ensure_group(group_name, "", ["alice"])
    assert created.group_dn in seen.member_of("alice")

    assert groups.delete_group(group_name) is True
    assert seen.group(group_name) is None
    assert created.group_dn not in seen.member_of("alice")
    assert groups.delete_group(group_name) is False


def test_operations_on_a_missing_group_say_so(groups, group_name):
    for call in (
        lambda: groups.read_members(group_name),
        lambda: groups.set_members(group_name, ["alice"]),
        lambda: groups.reconcile(group_name, ["alice"], fix=True),
    ):
        with pytest.raises(GroupNotFound, match=f"Group {group_name} .* does not exist"):
            call()


def test_an_entry_that_is_not_a_group_is_left_alone(slapd, groups, seen, tree, group_name):
    dn = f"cn={group_name},{tree.groups_base_dn}"
    slapd.modify(tree, f"dn: {dn}\nchangetype: add\nobjectClass: organizationalRole\ncn: {group_name}\n")

    with pytest.raises(DirectoryError, match="exists but is not a"):
        groups.ensure_group(group_name, "", ["alice"])
    with pytest.raises(DirectoryError, match="exists but is not a"):
        groups.delete_group(group_name)
    assert seen.group(group_name)["objectClass"] == ["organizationalRole"]
