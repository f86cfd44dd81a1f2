"""DirectoryConfig: where the directory is, how to bind, where groups and users live."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ldap3.core.exceptions import LDAPInvalidDnError
from ldap3.utils.dn import parse_dn

from provisioning.directory.errors import InvalidDirectoryConfig

Flavour = Literal["ad", "ldap"]

# Attribute names go into filters as syntax (they cannot be escaped), so they must be plain names.
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,63}$")

_DEFAULTS: dict[str, dict[str, object]] = {
    "ad": {
        "username_attribute": "sAMAccountName",
        # A computer account is also objectClass=user in AD; it is never a team member.
        "user_filter": "(&(objectClass=user)(!(objectClass=computer)))",
        # Microsoft: a group name may be up to 63 characters (the 20-character limit of
        # sAMAccountName concerns *user* logon names for pre-Windows 2000 clients).
        "max_group_name_length": 63,
    },
    "ldap": {
        "username_attribute": "uid",
        "user_filter": "(objectClass=inetOrgPerson)",
        "max_group_name_length": 64,  # ub-common-name: cn is at most 64 characters (X.520)
    },
}


@dataclass(frozen=True)
class DirectoryConfig:
    """Settings for one directory. Fields left as None take the flavour's default.

    ``bind_password`` is kept out of ``repr`` (and so out of logs and tracebacks).
    ``placeholder_member_dn`` (plain LDAP only) is put into a ``groupOfNames`` while it has no
    real member, because that object class requires at least one; it is never reported as one.
    """

    flavour: Flavour
    server_uri: str
    bind_dn: str
    bind_password: str = field(repr=False)
    groups_base_dn: str
    users_base_dn: str
    username_attribute: str | None = None
    email_attribute: str = "mail"
    user_filter: str | None = None  # admin-written LDAP filter selecting people
    placeholder_member_dn: str | None = None
    max_group_name_length: int | None = None
    connect_timeout: float = 5.0  # seconds to open the TCP connection
    receive_timeout: int = 10  # whole seconds to wait for any one answer (ldap3 needs an int)
    start_tls: bool = False
    ca_certs_file: str | None = None  # CA bundle to verify the server certificate (ldaps/StartTLS)

    def __post_init__(self) -> None:
        if self.flavour not in _DEFAULTS:
            raise InvalidDirectoryConfig(f"Directory flavour must be 'ad' or 'ldap', not {self.flavour!r}.")
        for name, default in _DEFAULTS[self.flavour].items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, default)
        if not self.server_uri.startswith(("ldap://", "ldaps://")):
            raise InvalidDirectoryConfig(
                f"Directory server URI must start with ldap:// or ldaps://, not {self.server_uri!r}."
            )
        for name in ("groups_base_dn", "users_base_dn", "bind_dn", "placeholder_member_dn"):
            value = getattr(self, name)
            if value is None or (name == "bind_dn" and value == ""):
                continue
            try:
                parse_dn(value)
            except LDAPInvalidDnError:
                raise InvalidDirectoryConfig(f"Directory setting {name} is not a valid DN: {value!r}.")
        for name in ("username_attribute", "email_attribute"):
            if not _ATTRIBUTE_NAME.match(getattr(self, name)):
                raise InvalidDirectoryConfig(
                    f"Directory setting {name} must be an attribute name, not {getattr(self, name)!r}."
                )
        if self.flavour == "ldap" and not self.placeholder_member_dn:
            raise InvalidDirectoryConfig(
                "Plain LDAP groups (groupOfNames) need at least one member: set placeholder_member_dn "
                "(e.g. cn=nobody,<base>) to hold the place while a group has no real member."
            )
        if not self.connect_timeout > 0:
            raise InvalidDirectoryConfig("Directory connect_timeout must be a positive number of seconds.")
        if (
            isinstance(self.receive_timeout, bool)
            or not isinstance(self.receive_timeout, int)
            or self.receive_timeout < 1
        ):
            raise InvalidDirectoryConfig(
                "Directory receive_timeout must be a whole number of seconds, at least 1."
            )
        if not 1 <= int(self.max_group_name_length or 0) <= 64:
            raise InvalidDirectoryConfig("Directory max_group_name_length must be between 1 and 64.")
        if not (self.user_filter or "").startswith("(") or not str(self.user_filter).endswith(")"):
            raise InvalidDirectoryConfig(
                f"Directory user_filter must be an LDAP filter in parentheses, not {self.user_filter!r}."
            )
