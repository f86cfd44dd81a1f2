"""Encrypted connections: ldaps:// and StartTLS verify the server against the configured CA."""

from __future__ import annotations

import pytest

from provisioning.directory import DirectoryError, DirectoryGroups, DirectoryUnavailable
from tests.directory.conftest import config_for
from tests.fixtures.directory_tree import AD_TREE


@pytest.fixture
def tls_slapd(make_slapd):
    return make_slapd(tls=True)


def test_ldaps_with_the_right_ca(tls_slapd):
    config = config_for(tls_slapd.ldaps_uri, AD_TREE, ca_certs_file=str(tls_slapd.certificate.ca_file))
    result = DirectoryGroups(config).ensure_group("ds-risk-train", "", ["alice"])
    assert result.created and len(result.members) == 1
    found = tls_slapd.search(AD_TREE, result.group_dn, scope="base")
    assert found and found[0]["member"] == list(result.members)


def test_start_tls_with_the_right_ca(tls_slapd):
    config = config_for(
        tls_slapd.uri, AD_TREE, start_tls=True, ca_certs_file=str(tls_slapd.certificate.ca_file)
    )
    assert DirectoryGroups(config).ensure_group("ds-risk-train", "", []).created


@pytest.mark.parametrize("scheme", ["ldaps", "starttls"])
def test_untrusted_certificate_is_a_permanent_error(tls_slapd, scheme):
    # No ca_certs_file: the system store does not know the test CA. Retrying cannot help.
    if scheme == "ldaps":
        config = config_for(tls_slapd.ldaps_uri, AD_TREE)
    else:
        config = config_for(tls_slapd.uri, AD_TREE, start_tls=True)
    with pytest.raises(DirectoryError, match="Could not set up TLS.*CERTIFICATE_VERIFY_FAILED") as caught:
        DirectoryGroups(config).read_members("ds-risk-train")
    assert not isinstance(caught.value, DirectoryUnavailable)
    assert "ca_certs_file" in str(caught.value)
