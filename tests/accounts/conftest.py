"""Directory login against the real slapd: switch it on, make role groups, log in through the page."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from tests.fixtures.directory_tree import LDAP_TREE, DirectoryTree, portal_directory
from tests.fixtures.slapd import make_slapd, slapd  # noqa: F401  (pytest fixtures)

BACKENDS = ["axes.backends.AxesStandaloneBackend", "portal.accounts.backends.DirectoryLoginBackend",
            "django.contrib.auth.backends.ModelBackend"]


@pytest.fixture
def directory_login(settings, slapd):  # noqa: F811
    """``directory_login(uri=None, tree=LDAP_TREE)``: PORTAL_LDAP_LOGIN on, against that directory."""

    def enable(uri: str | None = None, tree: DirectoryTree = LDAP_TREE, **overrides: object) -> None:
        settings.PORTAL_DIRECTORY = portal_directory(uri or slapd.uri, tree, **overrides)
        settings.PORTAL_LDAP_LOGIN = True
        settings.AUTHENTICATION_BACKENDS = BACKENDS

    enable()
    return enable


@pytest.fixture
def role_groups(slapd):  # noqa: F811
    """``role_groups.make(tree, members)`` → a fresh group's (name, DN) in ou=groups, made as the
    directory admin; ``role_groups.set_members(...)`` changes it "outside" the portal. Removed afterwards."""

    made: list[tuple[DirectoryTree, str]] = []

    class Groups:
        @staticmethod
        def make(tree: DirectoryTree, members: list[str], *, prefix: str = "role") -> tuple[str, str]:
            name = f"{prefix}-{uuid.uuid4().hex[:8]}"
            dn = f"cn={name},{tree.groups_base_dn}"
            lines = [f"dn: {dn}", "changetype: add", f"cn: {name}"]
            if tree.flavour == "ad":
                lines += ["objectClass: group", "groupType: -2147483646"]
            else:
                lines += ["objectClass: groupOfNames"]
                members = members or [tree.placeholder_dn]
            lines += [f"member: {member}" for member in members]
            slapd.modify(tree, "\n".join(lines) + "\n")
            made.append((tree, dn))
            return name, dn

        @staticmethod
        def set_members(tree: DirectoryTree, dn: str, members: list[str]) -> None:
            members = members or ([tree.placeholder_dn] if tree.flavour == "ldap" else [])
            lines = [f"dn: {dn}", "changetype: modify", "replace: member", *[f"member: {m}" for m in members]]
            slapd.modify(tree, "\n".join(lines) + "\n")

    yield Groups
    for tree, dn in made:
        if slapd.search(tree, dn, scope="base"):
            slapd.modify(tree, f"dn: {dn}\nchangetype: delete\n")


@pytest.fixture
def log_in(client):
    """``log_in(username, password)`` through the login page; returns the response."""

    def post(username: str, password: str):
        client.logout()
        return client.post(reverse("login"), {"username": username, "password": password})

    return post
