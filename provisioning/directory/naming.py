"""Group names: rendered from an admin-set convention such as ``ds-{team}-{purpose}``, then checked.

The rules are stricter than any directory needs, so one name works in AD and plain LDAP alike
and never needs escaping: lowercase letters a-z, digits and single dashes, starting with a letter
and ending with a letter or digit. Length: at most 64 characters (``cn`` upper bound), 63 for
AD (Microsoft's limit for group names). AD's 20-character figure for ``sAMAccountName`` applies to
*user* logon names for pre-Windows 2000 clients, not to groups; an admin who must stay under it
can set ``max_group_name_length=20``.

Values are lowercased and spaces/underscores become dashes ("Fraud Detection" -> "fraud-detection");
anything else outside the rules is refused with a message naming the culprit, never silently
dropped, so two different teams cannot end up sharing one group.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from provisioning.directory.errors import InvalidGroupName

DEFAULT_MAX_LENGTH = 64
_NAME = re.compile(r"^[a-z](?:[a-z0-9]|-(?!-))*(?<!-)$")
_ALLOWED = set(string.ascii_lowercase + string.digits + "-")


def _slug(value: str) -> str:
    return re.sub(r"[\s_]+", "-", value.strip().lower())


def validate_group_name(name: str, *, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """Return ``name`` if it follows the rules, else raise InvalidGroupName saying why."""
    if not isinstance(name, str) or not name:
        raise InvalidGroupName("The group name is empty.")
    bad = sorted({c for c in name if c not in _ALLOWED})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise InvalidGroupName(
            f"Group name {name!r} contains {shown}; "
            "only lowercase letters a-z, digits and dashes are allowed."
        )
    if len(name) > max_length:
        raise InvalidGroupName(
            f"Group name {name!r} is {len(name)} characters long; the directory allows at most {max_length}."
        )
    if not _NAME.match(name):
        raise InvalidGroupName(
            f"Group name {name!r} must start with a letter, end with a letter or digit, "
            "and not contain two dashes in a row."
        )
    return name


def render_group_name(
    convention: str, values: Mapping[str, str], *, max_length: int = DEFAULT_MAX_LENGTH
) -> str:
    """Fill ``convention``'s ``{placeholders}`` from ``values`` and validate the result."""
    try:
        fields = list(string.Formatter().parse(convention))
    except ValueError as exc:
        raise InvalidGroupName(f"Naming convention {convention!r} is malformed: {exc}.")
    parts: list[str] = []
    for literal, field_name, format_spec, conversion in fields:
        parts.append(literal)
        if field_name is None:
            continue
        if not field_name.isidentifier() or format_spec or conversion:
            raise InvalidGroupName(
                f"Naming convention {convention!r}: use plain placeholders such as {{team}}, "
                f"not {{{field_name}{'!' + conversion if conversion else ''}"
                f"{':' + format_spec if format_spec else ''}}}."
            )
        if field_name not in values:
            known = ", ".join(sorted(values)) or "none"
            raise InvalidGroupName(
                f"Naming convention {convention!r} uses {{{field_name}}}, which is not known "
                f"(known: {known})."
            )
        value = _slug(str(values[field_name]))
        if not value:
            raise InvalidGroupName(f"The value for {{{field_name}}} is empty, so no group name can be made.")
        parts.append(value)
    return validate_group_name("".join(parts), max_length=max_length)
