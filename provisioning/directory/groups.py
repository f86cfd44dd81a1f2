"""DirectoryGroups: create, update, check and remove the portal's groups (AD or plain LDAP alike).

Every public method opens its own connection (so a long-lived worker never holds a stale one),
validates the group name first, and raises only DirectoryUnavailable (retry) or DirectoryError.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import ldap3
from ldap3.core import exceptions as ldap_exc

from provisioning.directory.config import DirectoryConfig
from provisioning.directory.connection import bound_connection, translated_errors
from provisioning.directory.errors import DirectoryError, GroupNotFound
from provisioning.directory.flavours import group_dn, new_group_attributes, real_members
from provisioning.directory.membership import (
    GroupEntry,
    apply_members,
    difference,
    read_group,
    unique_dns,
)
from provisioning.directory.naming import validate_group_name
from provisioning.directory.people import Resolution, resolve_people
from provisioning.directory.results import GroupResult, ReconcileReport


class DirectoryGroups:
    def __init__(self, config: DirectoryConfig) -> None:
        self.config = config

    def group_dn(self, name: str) -> str:
        """The DN the group ``name`` has (or would have). Raises InvalidGroupName."""
        limit = int(self.config.max_group_name_length or 0)
        return group_dn(self.config, validate_group_name(name, max_length=limit))

    @contextmanager
    def _session(self, action: str) -> Iterator[ldap3.Connection]:
        with bound_connection(self.config) as connection, translated_errors(self.config, action):
            yield connection

    def ensure_group(self, name: str, description: str = "", member_ids: Iterable[str] = ()) -> GroupResult:
        """Create the group, or bring an existing one to this description and exactly these members."""
        dn = self.group_dn(name)
        with self._session(f"create or update group {dn}") as connection:
            found = resolve_people(connection, self.config, member_ids)
            desired = unique_dns(list(found.dns.values()))
            group = read_group(connection, self.config, dn)
            if group is None:
                group = self._create(connection, dn, name, description, desired)
                if group is None:
                    return self._result(name, dn, True, desired, found, added=desired)
            if description != group.description:
                new_value = [description] if description else []  # empty: remove the attribute
                connection.modify(dn, {"description": [(ldap3.MODIFY_REPLACE, new_value)]})
            added, removed = apply_members(connection, self.config, group, desired)
            return self._result(name, dn, False, desired, found, added, removed)

    def set_members(self, name: str, member_ids: Iterable[str]) -> GroupResult:
        """Make the existing group's members exactly these. Raises GroupNotFound if it is gone."""
        dn = self.group_dn(name)
        with self._session(f"set the members of {dn}") as connection:
            found = resolve_people(connection, self.config, member_ids)
            desired = unique_dns(list(found.dns.values()))
            group = self._existing(connection, name, dn)
            added, removed = apply_members(connection, self.config, group, desired)
            return self._result(name, dn, False, desired, found, added, removed)

    def read_members(self, name: str) -> tuple[str, ...]:
        """The DNs of the group's real members (never the placeholder), sorted."""
        dn = self.group_dn(name)
        with self._session(f"read group {dn}") as connection:
            group = self._existing(connection, name, dn)
            return tuple(sorted(real_members(self.config, list(group.stored))))

    def reconcile(self, name: str, expected_member_ids: Iterable[str], *, fix: bool) -> ReconcileReport:
        """Compare the group with the members the portal expects; with ``fix=True`` repair it."""
        dn = self.group_dn(name)
        with self._session(f"check group {dn}") as connection:
            found = resolve_people(connection, self.config, expected_member_ids)
            desired = unique_dns(list(found.dns.values()))
            group = self._existing(connection, name, dn)
            missing, extra = difference(self.config, group, desired)
            fixed = False
            if fix and (missing or extra):
                apply_members(connection, self.config, group, desired)
                fixed = True
            return ReconcileReport(
                name=name,
                group_dn=dn,
                fixed=fixed,
                added_outside=tuple(sorted(extra)),
                removed_outside=tuple(sorted(missing)),
                unknown_members=tuple(found.unknown),
                ambiguous_members=tuple(found.ambiguous),
            )

    def delete_group(self, name: str) -> bool:
        """Delete the group. True if it was deleted, False if it did not exist (idempotent)."""
        dn = self.group_dn(name)
        with self._session(f"delete group {dn}") as connection:
            if read_group(connection, self.config, dn) is None:  # also refuses a non-group entry
                return False
            try:
                connection.delete(dn)
            except ldap_exc.LDAPNoSuchObjectResult:
                return False
            return True

    def _existing(self, connection: ldap3.Connection, name: str, dn: str) -> GroupEntry:
        group = read_group(connection, self.config, dn)
        if group is None:
            raise GroupNotFound(f"Group {name} ({dn}) does not exist in the directory.")
        return group

    def _create(
        self, connection: ldap3.Connection, dn: str, name: str, description: str, desired: list[str]
    ) -> GroupEntry | None:
        """Add the entry; None when created. If it appeared meanwhile, return it to be updated."""
        object_classes, attributes = new_group_attributes(self.config, name, description, desired)
        try:
            connection.add(dn, object_classes, attributes)
            return None
        except ldap_exc.LDAPEntryAlreadyExistsResult:
            group = read_group(connection, self.config, dn)
            if group is None:  # AD: the name is taken by another object elsewhere in the domain
                raise DirectoryError(
                    f"Cannot create group {name}: another directory object already uses that name "
                    "(in AD, sAMAccountName must be unique across the whole domain)."
                )
            return group

    def _result(
        self,
        name: str,
        dn: str,
        created: bool,
        desired: list[str],
        found: Resolution,
        added: Iterable[str] = (),
        removed: Iterable[str] = (),
    ) -> GroupResult:
        return GroupResult(
            name=name,
            group_dn=dn,
            created=created,
            members=tuple(sorted(desired)),
            added=tuple(sorted(added)),
            removed=tuple(sorted(removed)),
            unknown_members=tuple(found.unknown),
            ambiguous_members=tuple(found.ambiguous),
        )
