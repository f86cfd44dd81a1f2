"""Building DNs safely and comparing them the way a directory does."""

from __future__ import annotations

import re

from ldap3.core.exceptions import LDAPInvalidDnError
from ldap3.utils.dn import escape_rdn, parse_dn

_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{2}|.)")


def child_dn(attribute: str, value: str, parent_dn: str) -> str:
    """``attribute=value,parent``, with ``value`` RDN-escaped (RFC 4514): data never becomes DN syntax."""
    return f"{attribute}={escape_rdn(value)},{parent_dn}"


def _unescape(value: str) -> str:
    if value.startswith("#"):  # hex-encoded BER value: compare as written
        return value.lower()
    raw = bytearray()
    pos = 0
    for match in _ESCAPE.finditer(value):
        raw += value[pos : match.start()].encode()
        escaped = match.group(1)
        raw += bytes.fromhex(escaped) if len(escaped) == 2 else escaped.encode()
        pos = match.end()
    raw += value[pos:].encode()
    return raw.decode("utf-8", errors="replace")


def dn_key(dn: str) -> tuple[tuple[str, str], ...]:
    """A comparison key: ``CN=Smith\\, Jane,OU=x`` and ``cn=smith\\2c jane, ou=X`` are the same entry.

    Attribute types and values compare case-insensitively (true for cn, uid, ou, dc in both AD and
    OpenLDAP); escapes are decoded and spacing around separators ignored.
    """
    try:
        parts = parse_dn(dn, escape=False, strip=True)
    except LDAPInvalidDnError:
        return (("", dn.strip().lower()),)
    return tuple((attr.strip().lower(), _unescape(value.strip()).lower()) for attr, value, _sep in parts)
