"""What a group looks like in each flavour: Active Directory ``group`` or LDAP ``groupOfNames``."""

from __future__ import annotations

from provisioning.directory.config import DirectoryConfig
from provisioning.directory.distinguished_names import child_dn, dn_key

# AD groupType flags: GLOBAL (0x2) | SECURITY_ENABLED (0x80000000), as a signed 32-bit integer.
AD_GLOBAL_SECURITY_GROUP = -2147483646


def group_object_class(config: DirectoryConfig) -> str:
    return "group" if config.flavour == "ad" else "groupOfNames"


def group_dn(config: DirectoryConfig, name: str) -> str:
    """The group lives directly under the configured groups OU, named by ``cn``."""
    return child_dn("cn", name, config.groups_base_dn)


def stored_members(config: DirectoryConfig, member_dns: list[str]) -> list[str]:
    """The ``member`` values to store for these real members (adds the placeholder where needed)."""
    if not member_dns and config.flavour == "ldap":
        return [str(config.placeholder_member_dn)]
    return member_dns


def real_members(config: DirectoryConfig, stored: list[str]) -> list[str]:
    """The real members among stored ``member`` values: never the placeholder."""
    if not config.placeholder_member_dn:
        return list(stored)
    placeholder = dn_key(config.placeholder_member_dn)
    return [dn for dn in stored if dn_key(dn) != placeholder]


def new_group_attributes(
    config: DirectoryConfig, name: str, description: str, member_dns: list[str]
) -> tuple[list[str], dict[str, object]]:
    """Object classes and attributes for a new group entry."""
    attributes: dict[str, object] = {"cn": name}
    if config.flavour == "ad":
        attributes["sAMAccountName"] = name
        attributes["groupType"] = AD_GLOBAL_SECURITY_GROUP
    if description:  # AD refuses empty values; absent means "no description"
        attributes["description"] = description
    members = stored_members(config, member_dns)
    if members:
        attributes["member"] = members
    return ["top", group_object_class(config)], attributes
