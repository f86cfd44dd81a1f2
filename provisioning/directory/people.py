"""Finding the directory entry (DN) of each member id the portal knows: a username or an email."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import ldap3
from ldap3.utils.conv import escape_filter_chars

from provisioning.directory.config import DirectoryConfig
from provisioning.directory.errors import DirectoryUnavailable

_TIME_LIMIT_EXCEEDED = 3


@dataclass
class Resolution:
    dns: dict[str, str] = field(default_factory=dict)  # member id -> DN
    unknown: list[str] = field(default_factory=list)  # ids that match nobody
    ambiguous: list[str] = field(default_factory=list)  # ids that match more than one person


def person_filter(config: DirectoryConfig, member_id: str) -> str:
    """People whose username or email equals ``member_id`` exactly; the id is filter-escaped."""
    value = escape_filter_chars(member_id)
    return (
        f"(&{config.user_filter}(|({config.username_attribute}={value})({config.email_attribute}={value})))"
    )


def unique_ids(member_ids: Iterable[str]) -> list[str]:
    """Member ids without surrounding spaces, duplicates removed, order kept."""
    seen: dict[str, None] = {}
    for member_id in member_ids:
        seen.setdefault(str(member_id).strip(), None)
    return list(seen)


def resolve_people(
    connection: ldap3.Connection, config: DirectoryConfig, member_ids: Iterable[str]
) -> Resolution:
    """Look up each id under the users base DN. Nobody is dropped silently: an id that matches
    no one, or more than one person, is listed in ``unknown`` / ``ambiguous``."""
    resolution = Resolution()
    for member_id in unique_ids(member_ids):
        if not member_id:
            resolution.unknown.append(member_id)
            continue
        connection.search(
            config.users_base_dn,
            person_filter(config, member_id),
            search_scope=ldap3.SUBTREE,
            attributes=["1.1"],  # no attributes: only the DN is needed
            size_limit=2,  # two are enough to know it is ambiguous
        )
        if connection.result.get("result") == _TIME_LIMIT_EXCEEDED:
            raise DirectoryUnavailable(
                f"The directory ran out of time looking up {member_id!r}; try again later."
            )
        found = [r["dn"] for r in connection.response or () if r.get("type") == "searchResEntry"]
        if not found:
            resolution.unknown.append(member_id)
        elif len(found) > 1:
            resolution.ambiguous.append(member_id)
        else:
            resolution.dns[member_id] = found[0]
    return resolution
