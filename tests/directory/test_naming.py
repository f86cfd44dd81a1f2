"""Group names from the admin's convention: what is accepted, and what a person is told otherwise."""

from __future__ import annotations

import pytest

from provisioning.directory import DirectoryGroups, InvalidGroupName, render_group_name, validate_group_name
from tests.directory.conftest import config_for
from tests.fixtures.directory_tree import TREES

CONVENTION = "ds-{team}-{purpose}"


def test_convention_is_filled_and_normalised():
    values = {"team": "Fraud Detection", "purpose": "model_training"}
    assert render_group_name(CONVENTION, values) == "ds-fraud-detection-model-training"


def test_unknown_placeholder_names_the_placeholder_and_the_known_ones():
    with pytest.raises(InvalidGroupName) as caught:
        render_group_name("ds-{owner}-{purpose}", {"team": "risk", "purpose": "train"})
    assert "{owner}" in str(caught.value)
    assert "known: purpose, team" in str(caught.value)


@pytest.mark.parametrize("convention", ["ds-{team.__class__}", "ds-{team!r}", "ds-{team:>30}", "ds-{0}"])
def test_convention_may_only_use_plain_placeholders(convention):
    # str.format would happily evaluate attribute access or padding: an admin typo must not.
    with pytest.raises(InvalidGroupName, match="plain placeholders"):
        render_group_name(convention, {"team": "risk", "0": "x"})


def test_malformed_convention_is_explained():
    with pytest.raises(InvalidGroupName, match="malformed"):
        render_group_name("ds-{team", {"team": "risk"})


@pytest.mark.parametrize(
    "value, culprit",
    [
        ("risk,ou=admins", "','"),
        ("risk*", "'*'"),
        ("a)(cn=*", "'('"),
        ("ops=1", "'='"),
        ("équipe", "'é'"),
    ],
)
def test_special_characters_in_values_are_refused_not_dropped(value, culprit):
    with pytest.raises(InvalidGroupName) as caught:
        render_group_name(CONVENTION, {"team": value, "purpose": "train"})
    assert culprit in str(caught.value)
    assert "only lowercase letters a-z, digits and dashes" in str(caught.value)


def test_empty_value_is_refused():
    with pytest.raises(InvalidGroupName, match=r"value for \{team\} is empty"):
        render_group_name(CONVENTION, {"team": "  ", "purpose": "train"})


@pytest.mark.parametrize(
    "name, reason",
    [
        ("", "empty"),
        ("1team", "start with a letter"),
        ("-team", "start with a letter"),
        ("team-", "end with a letter or digit"),
        ("ds--team", "two dashes in a row"),
        ("DS-Team", "'D'"),
    ],
)
def test_validation_says_what_is_wrong(name, reason):
    with pytest.raises(InvalidGroupName, match=reason):
        validate_group_name(name)


def test_length_limit_reports_length_and_limit():
    with pytest.raises(InvalidGroupName, match="is 65 characters long; the directory allows at most 64"):
        validate_group_name("a" * 65)
    assert validate_group_name("a" * 64) == "a" * 64


@pytest.mark.parametrize("flavour, limit", [("ad", 63), ("ldap", 64)])
def test_each_flavour_has_its_own_limit(flavour, limit):
    groups = DirectoryGroups(config_for("ldap://127.0.0.1:1", TREES[flavour]))
    assert groups.group_dn("a" * limit) == f"cn={'a' * limit},{TREES[flavour].groups_base_dn}"
    with pytest.raises(InvalidGroupName, match=f"at most {limit}"):
        groups.group_dn("a" * (limit + 1))


def test_admin_can_demand_short_names():
    groups = DirectoryGroups(config_for("ldap://127.0.0.1:1", TREES["ad"], max_group_name_length=20))
    with pytest.raises(InvalidGroupName, match="at most 20"):
        groups.group_dn("ds-fraud-detection-train")
