"""Fixtures for the directory engine tests: a real slapd, a config per flavour, ldapsearch checks.

No Django here: these tests run with ``-p no:django`` as well as under the project's pytest setup.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from provisioning.directory import DirectoryConfig, DirectoryGroups
from tests.fixtures.directory_tree import PORTAL_PASSWORD, TREES, DirectoryTree
from tests.fixtures.slapd import Slapd, make_slapd, slapd  # noqa: F401  (pytest fixtures)


def config_for(uri: str, tree: DirectoryTree, /, **overrides: object) -> DirectoryConfig:
    settings: dict[str, object] = {
        "flavour": tree.flavour,
        "server_uri": uri,
        "bind_dn": tree.portal_dn,
        "bind_password": PORTAL_PASSWORD,
        "groups_base_dn": tree.groups_base_dn,
        "users_base_dn": tree.users_base_dn,
        "placeholder_member_dn": tree.placeholder_dn if tree.flavour == "ldap" else None,
        "connect_timeout": 2.0,
        "receive_timeout": 2,
    }
    settings.update(overrides)
    return DirectoryConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture(params=["ad", "ldap"])
def tree(request: pytest.FixtureRequest) -> DirectoryTree:
    return TREES[request.param]


@pytest.fixture
def config(slapd: Slapd, tree: DirectoryTree) -> DirectoryConfig:  # noqa: F811
    return config_for(slapd.uri, tree)


@pytest.fixture
def groups(config: DirectoryConfig) -> DirectoryGroups:
    return DirectoryGroups(config)


@pytest.fixture
def group_name(slapd: Slapd, tree: DirectoryTree) -> Iterator[str]:  # noqa: F811
    """A fresh group name for this test; the group is removed afterwards (as admin) if it exists."""
    name = f"ds-test-{uuid.uuid4().hex[:10]}"
    yield name
    dn = f"cn={name},{tree.groups_base_dn}"
    if slapd.search(tree, dn, scope="base"):
        slapd.modify(tree, f"dn: {dn}\nchangetype: delete\n")


class Seen:
    """What an independent client (ldapsearch, as the directory admin) sees."""

    def __init__(self, server: Slapd, tree: DirectoryTree) -> None:
        self.server, self.tree = server, tree

    def group(self, name: str) -> dict[str, list[str]] | None:
        found = self.server.search(
            self.tree, f"cn={name},{self.tree.groups_base_dn}", scope="base", attributes=("*", "+")
        )
        return found[0] if found else None

    def members(self, name: str) -> set[str]:
        """Raw member values, placeholder included."""
        entry = self.group(name)
        assert entry is not None, f"group {name} not found by ldapsearch"
        return set(entry.get("member", []))

    def dn(self, key: str) -> str:
        """The person's DN exactly as slapd writes it."""
        person = self.tree.person(key)
        found = self.server.search(self.tree, self.tree.users_base_dn, f"(cn={person.cn})")
        assert len(found) == 1, found
        return found[0]["dn"][0]

    def member_of(self, key: str) -> set[str]:
        found = self.server.search(self.tree, self.dn(key), scope="base", attributes=("memberOf",))
        return set(found[0].get("memberOf", []))

    def group_dns(self) -> set[str]:
        return {e["dn"][0] for e in self.server.search(self.tree, self.tree.groups_base_dn, scope="one")}


@pytest.fixture
def seen(slapd: Slapd, tree: DirectoryTree) -> Seen:  # noqa: F811
    return Seen(slapd, tree)
