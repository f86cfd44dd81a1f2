"""Failures: outages are DirectoryUnavailable (retry) and come fast; refusals are DirectoryError."""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Iterator

import pytest

from provisioning.directory import DirectoryError, DirectoryGroups, DirectoryUnavailable
from tests.directory.conftest import config_for
from tests.fixtures.directory_tree import AD_TREE, LDAP_TREE, READER_PASSWORD


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def test_closed_port_is_unavailable_at_once():
    groups = DirectoryGroups(config_for(f"ldap://127.0.0.1:{_closed_port()}", LDAP_TREE))
    started = time.monotonic()
    with pytest.raises(DirectoryUnavailable, match="is unavailable .*try again later"):
        groups.ensure_group("ds-risk-train", "", ["alice"])
    assert time.monotonic() - started < 1.0


def test_stopped_server_is_unavailable(make_slapd):
    server = make_slapd()
    groups = DirectoryGroups(config_for(server.uri, AD_TREE))
    assert groups.ensure_group("ds-risk-train", "", ["alice"]).created
    server.stop()

    started = time.monotonic()
    with pytest.raises(DirectoryUnavailable) as caught:
        groups.read_members("ds-risk-train")
    assert time.monotonic() - started < 1.0
    assert server.uri in str(caught.value)
    assert not isinstance(caught.value, DirectoryError)  # `except DirectoryError` will not swallow it


@pytest.fixture
def hang_guard() -> Iterator[None]:
    """Turn a hang into a failure: pytest itself has no timeout here."""

    def fail(_signum, _frame):
        raise AssertionError("the directory call hung: no timeout took effect")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_hung_server_times_out_instead_of_hanging(make_slapd, hang_guard):
    server = make_slapd()
    groups = DirectoryGroups(config_for(server.uri, LDAP_TREE, connect_timeout=6.0, receive_timeout=1))
    server.pause()  # accepts connections (kernel backlog) but never answers
    try:
        started = time.monotonic()
        with pytest.raises(DirectoryUnavailable, match="timed out"):
            groups.ensure_group("ds-risk-train", "", ["alice"])
        elapsed = time.monotonic() - started
    finally:
        server.resume()
    assert 0.9 < elapsed < 3.0
    # Once it answers again, the same call (the caller's retry) succeeds.
    assert groups.ensure_group("ds-risk-train", "", ["alice"]).members


def test_wrong_password_is_a_permanent_error_without_the_password(slapd, tree):
    groups = DirectoryGroups(config_for(slapd.uri, tree, bind_password="Wr0ng-Passw0rd"))
    with pytest.raises(DirectoryError) as caught:
        groups.read_members("ds-risk-train")
    message = str(caught.value)
    assert "invalidCredentials" in message and "bind DN or password" in message
    assert "Wr0ng-Passw0rd" not in message and "Wr0ng-Passw0rd" not in repr(caught.value.__cause__)


def test_missing_permission_is_a_permanent_error(slapd, seen, tree, group_name):
    reader = config_for(slapd.uri, tree, bind_dn=tree.reader_dn, bind_password=READER_PASSWORD)
    groups = DirectoryGroups(reader)
    lacks_permission = "insufficientAccessRights; the portal's directory account lacks permission"
    with pytest.raises(DirectoryError, match=lacks_permission):
        groups.ensure_group(group_name, "", ["alice"])
    assert seen.group(group_name) is None


def test_missing_groups_base_is_a_permanent_error(slapd, tree, group_name):
    config = config_for(slapd.uri, tree, groups_base_dn=f"ou=no-such-ou,{tree.suffix}")
    with pytest.raises(DirectoryError, match="noSuchObject"):
        DirectoryGroups(config).ensure_group(group_name, "", [])


def test_ad_name_already_taken_elsewhere_in_the_domain(slapd):
    # In AD sAMAccountName is unique across users and groups; the test slapd enforces that too.
    groups = DirectoryGroups(config_for(slapd.uri, AD_TREE))
    with pytest.raises(DirectoryError, match="constraintViolation") as caught:
        groups.ensure_group("alice", "", [])
    assert not isinstance(caught.value, DirectoryUnavailable)
    assert slapd.search(AD_TREE, f"cn=alice,{AD_TREE.groups_base_dn}", scope="base") == []
