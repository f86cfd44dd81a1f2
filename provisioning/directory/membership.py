"""Reading a group entry and changing its ``member`` values by difference."""

from __future__ import annotations

from dataclasses import dataclass

import ldap3
from ldap3.core import exceptions as ldap_exc

from provisioning.directory.config import DirectoryConfig
from provisioning.directory.distinguished_names import dn_key
from provisioning.directory.errors import DirectoryError, GroupNotFound
from provisioning.directory.flavours import group_object_class, real_members, stored_members

_CONFLICT_RETRIES = 3


@dataclass(frozen=True)
class GroupEntry:
    dn: str
    stored: tuple[str, ...]  # raw member values, placeholder included
    description: str


def read_group(connection: ldap3.Connection, config: DirectoryConfig, dn: str) -> GroupEntry | None:
    """The group at ``dn``, or None if nothing is there. Refuses an entry that is not a group."""
    try:
        connection.search(
            dn,
            "(objectClass=*)",
            search_scope=ldap3.BASE,
            attributes=["objectClass", "member", "description"],
        )
    except ldap_exc.LDAPNoSuchObjectResult:
        return None
    entries = [r for r in connection.response or () if r.get("type") == "searchResEntry"]
    if not entries:
        return None
    attributes = entries[0]["attributes"]
    wanted = group_object_class(config)
    if wanted.lower() not in {c.lower() for c in attributes.get("objectClass", [])}:
        raise DirectoryError(f"{dn} exists but is not a {wanted}; the portal will not touch it.")
    description = attributes.get("description") or [""]
    if isinstance(description, str):
        description = [description]
    return GroupEntry(
        dn=entries[0]["dn"], stored=tuple(attributes.get("member", [])), description=description[0]
    )


def unique_dns(dns: list[str]) -> list[str]:
    seen: dict[tuple[tuple[str, str], ...], str] = {}
    for dn in dns:
        seen.setdefault(dn_key(dn), dn)
    return list(seen.values())


def difference(config: DirectoryConfig, group: GroupEntry, desired: list[str]) -> tuple[list[str], list[str]]:
    """(to_add, to_remove) among real members."""
    current = {dn_key(dn): dn for dn in real_members(config, list(group.stored))}
    wanted = {dn_key(dn): dn for dn in desired}
    return (
        [dn for key, dn in wanted.items() if key not in current],
        [dn for key, dn in current.items() if key not in wanted],
    )


def apply_members(
    connection: ldap3.Connection, config: DirectoryConfig, group: GroupEntry, desired: list[str]
) -> tuple[list[str], list[str]]:
    """Make the group's real members exactly ``desired``; return (added, removed).

    Changes by difference in one modify (add + delete), so a ``groupOfNames`` is never left
    without a member and AD's linked ``member`` values are not rewritten wholesale. If someone
    changes the group between our read and our write, re-read and try again.
    """
    for attempt in range(_CONFLICT_RETRIES):
        to_add, to_remove = difference(config, group, desired)
        now_real = {dn_key(dn) for dn in real_members(config, list(group.stored))}
        placeholders = [dn for dn in group.stored if dn_key(dn) not in now_real]
        adds, deletes = list(to_add), list(to_remove)
        if config.flavour == "ldap":
            if desired and placeholders:
                deletes += placeholders
            if not desired and not placeholders:
                adds += stored_members(config, [])
        if not adds and not deletes:
            return [], []
        changes = [(ldap3.MODIFY_ADD, adds)] if adds else []
        changes += [(ldap3.MODIFY_DELETE, deletes)] if deletes else []
        try:
            connection.modify(group.dn, {"member": changes})
            return to_add, to_remove
        except (ldap_exc.LDAPAttributeOrValueExistsResult, ldap_exc.LDAPNoSuchAttributeResult):
            if attempt == _CONFLICT_RETRIES - 1:
                raise
            fresh = read_group(connection, config, group.dn)
            if fresh is None:
                raise GroupNotFound(f"Group {group.dn} was deleted while the portal was changing it.")
            group = fresh
    raise AssertionError("unreachable")
