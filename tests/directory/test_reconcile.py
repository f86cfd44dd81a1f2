"""Drift: membership changed outside the portal (with ldapmodify), reported, and repaired on request."""

from __future__ import annotations


def _outside_change(slapd, tree, group_dn, add=(), delete=()):
    ldif = f"dn: {group_dn}\nchangetype: modify\n"
    if add:
        ldif += "add: member\n" + "".join(f"member: {dn}\n" for dn in add) + "-\n"
    if delete:
        ldif += "delete: member\n" + "".join(f"member: {dn}\n" for dn in delete) + "-\n"
    slapd.modify(tree, ldif)


def test_in_sync_group(groups, group_name):
    groups.ensure_group(group_name, "", ["alice", "bob"])
    report = groups.reconcile(group_name, ["alice", "bob@example.test"], fix=False)
    assert report.in_sync and not report.fixed
    assert report.describe() == f"Group {group_name} matches the portal."


def test_outside_changes_are_reported_then_fixed(slapd, groups, seen, tree, group_name):
    created = groups.ensure_group(group_name, "", ["alice", "bob"])
    _outside_change(slapd, tree, created.group_dn, add=[seen.dn("carol")], delete=[seen.dn("bob")])

    report = groups.reconcile(group_name, ["alice", "bob"], fix=False)
    assert report.added_outside == (seen.dn("carol"),)
    assert report.removed_outside == (seen.dn("bob"),)
    assert not report.in_sync and not report.fixed
    assert "added outside the portal: " + seen.dn("carol") in report.describe()
    assert report.describe().endswith("not changed.")
    assert seen.members(group_name) == {seen.dn("alice"), seen.dn("carol")}  # report only: untouched

    fixed = groups.reconcile(group_name, ["alice", "bob"], fix=True)
    assert (fixed.added_outside, fixed.removed_outside) == (report.added_outside, report.removed_outside)
    assert fixed.fixed is True
    assert seen.members(group_name) == {seen.dn("alice"), seen.dn("bob")}
    assert seen.member_of("carol") == set()

    assert groups.reconcile(group_name, ["alice", "bob"], fix=False).in_sync


def test_unknown_expected_members_are_reported(groups, group_name):
    groups.ensure_group(group_name, "", ["alice"])
    report = groups.reconcile(group_name, ["alice", "left-the-company"], fix=True)
    assert report.in_sync and not report.fixed
    assert report.unknown_members == ("left-the-company",)
    assert "Not found in the directory: left-the-company." in report.describe()


def test_placeholder_is_never_drift(slapd, groups, seen, tree, group_name):
    groups.ensure_group(group_name, "", [])
    assert groups.reconcile(group_name, [], fix=False).in_sync

    # Someone empties a group by hand; with groupOfNames they must leave some member behind.
    created = groups.ensure_group(group_name, "", ["alice"])
    keep = [tree.placeholder_dn] if tree.flavour == "ldap" else []
    _outside_change(slapd, tree, created.group_dn, add=keep, delete=[seen.dn("alice")])

    report = groups.reconcile(group_name, ["alice"], fix=True)
    assert report.added_outside == ()
    assert report.removed_outside == (seen.dn("alice"),)
    assert seen.members(group_name) == {seen.dn("alice")}  # placeholder taken out again
