"""What the directory operations hand back: plain frozen values, safe to store as run outputs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GroupResult:
    """The state of a group after ``ensure_group`` / ``set_members``.

    ``members``, ``added`` and ``removed`` are member DNs (never the LDAP placeholder).
    ``unknown_members`` are ids that match no person in the directory, ``ambiguous_members`` ids
    that match several: neither was put into the group, and the caller must tell someone.
    """

    name: str
    group_dn: str
    created: bool
    members: tuple[str, ...]
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unknown_members: tuple[str, ...] = ()
    ambiguous_members: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every requested member id was found and is in the group."""
        return not self.unknown_members and not self.ambiguous_members


@dataclass(frozen=True)
class ReconcileReport:
    """How a group differs from what the portal expects.

    ``added_outside``: DNs in the group that the portal did not ask for.
    ``removed_outside``: DNs the portal asked for that are no longer in the group.
    ``fixed``: the differences were repaired (``fix=True``); else they were only reported.
    """

    name: str
    group_dn: str
    added_outside: tuple[str, ...]
    removed_outside: tuple[str, ...]
    fixed: bool
    unknown_members: tuple[str, ...] = ()
    ambiguous_members: tuple[str, ...] = ()

    @property
    def in_sync(self) -> bool:
        """True when the group held exactly the expected members (before any fix)."""
        return not self.added_outside and not self.removed_outside

    def describe(self) -> str:
        """One line for an admin, e.g. for the audit log or the drift view."""
        if self.in_sync:
            text = f"Group {self.name} matches the portal."
        else:
            parts = []
            if self.added_outside:
                parts.append(f"added outside the portal: {', '.join(self.added_outside)}")
            if self.removed_outside:
                parts.append(f"removed outside the portal: {', '.join(self.removed_outside)}")
            verdict = "repaired" if self.fixed else "not changed"
            text = f"Group {self.name} differs ({'; '.join(parts)}); {verdict}."
        if self.unknown_members:
            text += f" Not found in the directory: {', '.join(self.unknown_members)}."
        if self.ambiguous_members:
            text += f" Matching several people: {', '.join(self.ambiguous_members)}."
        return text
