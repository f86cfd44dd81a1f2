"""DirectoryConfig: flavour defaults, refused settings, and the bind password kept out of sight."""

from __future__ import annotations

import pytest

from provisioning.directory import DirectoryConfig, DirectoryError, InvalidDirectoryConfig
from tests.directory.conftest import config_for
from tests.fixtures.directory_tree import AD_TREE, LDAP_TREE

URI = "ldap://127.0.0.1:1"


def test_flavour_defaults():
    ad, ldap = config_for(URI, AD_TREE), config_for(URI, LDAP_TREE)
    assert (ad.username_attribute, ad.email_attribute) == ("sAMAccountName", "mail")
    assert ad.max_group_name_length == 63
    assert "(!(objectClass=computer))" in str(ad.user_filter)
    assert (ldap.username_attribute, ldap.email_attribute, ldap.max_group_name_length) == ("uid", "mail", 64)


def test_password_never_in_repr_or_str():
    config = config_for(URI, AD_TREE, bind_password="S3cret-Pa55")
    assert "S3cret-Pa55" not in repr(config)
    assert "S3cret-Pa55" not in str(config)
    assert config.bind_password == "S3cret-Pa55"


def test_plain_ldap_needs_a_placeholder_member():
    with pytest.raises(InvalidDirectoryConfig, match="placeholder_member_dn"):
        config_for(URI, LDAP_TREE, placeholder_member_dn=None)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"flavour": "novell"}, "flavour must be 'ad' or 'ldap'"),
        ({"server_uri": "http://dc1"}, "must start with ldap:// or ldaps://"),
        ({"groups_base_dn": "not a dn"}, "groups_base_dn is not a valid DN"),
        ({"username_attribute": "uid)(objectClass=*"}, "username_attribute must be an attribute name"),
        ({"email_attribute": "mail="}, "email_attribute must be an attribute name"),
        ({"user_filter": "objectClass=user"}, "user_filter must be an LDAP filter"),
        ({"receive_timeout": 0.5}, "receive_timeout must be a whole number"),
        ({"connect_timeout": 0}, "connect_timeout must be a positive"),
        ({"max_group_name_length": 200}, "between 1 and 64"),
    ],
)
def test_unusable_settings_are_refused_with_a_reason(overrides, message):
    with pytest.raises(InvalidDirectoryConfig, match=message):
        config_for(URI, LDAP_TREE, **overrides)


def test_config_errors_are_permanent_errors():
    assert issubclass(InvalidDirectoryConfig, DirectoryError)


def test_config_is_frozen():
    config = config_for(URI, AD_TREE)
    with pytest.raises(AttributeError):
        config.server_uri = "ldap://elsewhere"  # type: ignore[misc]
    assert isinstance(config, DirectoryConfig)
