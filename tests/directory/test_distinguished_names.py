"""DN building escapes values; DN comparison matches the way the directory compares."""

from __future__ import annotations

from provisioning.directory.distinguished_names import child_dn, dn_key


def test_child_dn_escapes_the_value():
    dn = child_dn("cn", "a,ou=admins+uid=root", "ou=groups,dc=x")
    assert dn == "cn=a\\,ou\\=admins\\+uid\\=root,ou=groups,dc=x"
    assert dn_key(dn)[0] == ("cn", "a,ou=admins+uid=root")  # one RDN, the value intact
    assert len(dn_key(dn)) == 3


def test_child_dn_escapes_leading_hash_and_trailing_space():
    assert child_dn("cn", "#x ", "dc=x") == "cn=\\#x\\ ,dc=x"


def test_dn_key_ignores_case_spacing_and_escape_style():
    written_by_slapd = "cn=Smith\\2C Jane\\3Dops\\2B1,ou=people,dc=ad,dc=test"
    written_by_hand = "CN=smith\\, jane\\=OPS\\+1, OU=People,DC=ad,DC=test"
    assert dn_key(written_by_slapd) == dn_key(written_by_hand)
    assert dn_key("cn=J\\C3\\BCrgen,dc=x") == dn_key("cn=Jürgen,dc=x")


def test_dn_key_tells_different_entries_apart():
    assert dn_key("cn=alice,ou=people,dc=x") != dn_key("cn=alice,ou=groups,dc=x")
    assert dn_key("cn=a\\,b,dc=x") != dn_key("cn=a,cn=b,dc=x")
