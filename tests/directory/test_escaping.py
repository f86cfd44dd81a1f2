"""User input never becomes LDAP syntax: filter and DN special characters are data, nothing more."""

from __future__ import annotations

import pytest

from provisioning.directory import InvalidGroupName


@pytest.mark.parametrize(
    "member_id",
    [
        "*",  # would match everyone
        "al*",  # would match alice
        "alice)(uid=*",  # would close the filter and add a match-all
        "*)(objectClass=*",
        "alice)(|(mail=*",
        "\\2a",  # an already-escaped star stays four literal characters
        "alice\x00",
    ],
)
def test_filter_syntax_in_member_ids_matches_nobody(groups, seen, tree, group_name, member_id):
    result = groups.ensure_group(group_name, "", [member_id])
    assert result.unknown_members == (member_id,)
    assert result.members == ()
    real = seen.members(group_name) - {tree.placeholder_dn}
    assert real == set()


def test_literal_star_in_a_username_finds_exactly_that_person(groups, seen, group_name):
    result = groups.ensure_group(group_name, "", ["star*user", "star*"])
    assert result.members == (seen.dn("star"),)
    assert result.unknown_members == ("star*",)


def test_member_dn_with_comma_equals_and_plus_is_stored_exactly(groups, seen, group_name):
    # jane's DN holds "," "=" and "+" in its RDN value; it must land in member unchanged.
    result = groups.ensure_group(group_name, "", ["jane.smith@example.test"])
    jane = seen.dn("jane")
    assert "\\2C" in jane and "\\3D" in jane
    assert seen.members(group_name) == {jane}
    assert result.group_dn in seen.member_of("jane")  # slapd resolved the DN to her entry
    assert groups.read_members(group_name) == (jane,)
    assert groups.reconcile(group_name, ["jane.smith@example.test"], fix=False).in_sync


def test_description_is_stored_verbatim(groups, seen, group_name):
    text = "Risk, (prod) *=all; cn=admin,dc=x \\ done"
    groups.ensure_group(group_name, text, [])
    assert seen.group(group_name)["description"] == [text]


@pytest.mark.parametrize("bad_name", ["*", "ds-a)(cn=*", "ds-a,ou=people", "cn=ds-a", "ds-a+uid=x", "ds a"])
def test_names_with_ldap_syntax_are_refused_everywhere(groups, seen, group_name, bad_name):
    groups.ensure_group(group_name, "", ["alice"])  # a bystander group that must survive
    before = seen.group_dns()

    for call in (
        lambda: groups.ensure_group(bad_name, "", ["alice"]),
        lambda: groups.set_members(bad_name, []),
        lambda: groups.read_members(bad_name),
        lambda: groups.reconcile(bad_name, [], fix=True),
        lambda: groups.delete_group(bad_name),
    ):
        with pytest.raises(InvalidGroupName, match="only lowercase letters a-z, digits and dashes"):
            call()

    assert seen.group_dns() == before
    assert seen.members(group_name) == {seen.dn("alice")}
