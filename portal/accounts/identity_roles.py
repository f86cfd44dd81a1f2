"""Directory groups and single sign-on claim values → portal roles, applied at each login through that
source (``IdentityRoleMapping``): ``apply_directory_roles`` for the directory (LDAP/AD) login,
``apply_claim_roles`` for the OpenID Connect login."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from portal.audit.services import record_event
from portal.teams.models import Membership
from provisioning.directory.distinguished_names import dn_key

from .admin_group import portal_admins_group
from .models import IdentityRoleMapping

Source = IdentityRoleMapping.Source
VIA = {Source.DIRECTORY: "directory login", Source.OIDC: "single sign-on"}
WHERE = {Source.DIRECTORY: "directory group", Source.OIDC: "single sign-on claim value"}


@dataclass
class RoleChanges:
    added: list[str] = field(default_factory=list)  # team slugs
    removed: list[str] = field(default_factory=list)
    is_staff: bool | None = None  # the new value when it changed


def matching_mappings(mappings: Iterable[IdentityRoleMapping], group_dns: Iterable[str],
                      group_names: Iterable[str]) -> list[IdentityRoleMapping]:
    """The directory mappings whose group the person is in: a DN compares as the directory does, a name
    ignores case."""
    dns = {dn_key(dn) for dn in group_dns}
    names = {name.casefold() for name in group_names}
    return [m for m in mappings if (dn_key(m.group) in dns if "=" in m.group else m.group.casefold() in names)]


def matching_claim_mappings(mappings: Iterable[IdentityRoleMapping],
                            claim_values: Iterable[str]) -> list[IdentityRoleMapping]:
    """The single sign-on mappings whose value the person's role claims hold (compared exactly: claim
    values are often case-sensitive ids or paths)."""
    values = set(claim_values)
    return [m for m in mappings if m.group in values]


@transaction.atomic
def apply_directory_roles(*, user, group_dns: Iterable[str], group_names: Iterable[str]) -> RoleChanges:
    """Make ``user``'s roles follow their directory groups (see ``_apply``)."""
    _lock(user)
    mappings = _mappings(Source.DIRECTORY)
    return _apply(user, Source.DIRECTORY, mappings, matching_mappings(mappings, group_dns, group_names))


@transaction.atomic
def apply_claim_roles(*, user, claim_values: Iterable[str]) -> RoleChanges:
    """Make ``user``'s roles follow the values of their single sign-on role claims (see ``_apply``)."""
    _lock(user)
    mappings = _mappings(Source.OIDC)
    return _apply(user, Source.OIDC, mappings, matching_claim_mappings(mappings, claim_values))


def _lock(user) -> None:
    type(user).objects.select_for_update().filter(pk=user.pk).first()  # one login of a person at a time


def _mappings(source: str) -> list[IdentityRoleMapping]:
    return list(IdentityRoleMapping.objects.filter(source=source).select_related("team"))


def _apply(user, source: str, mappings: list[IdentityRoleMapping], granted: list[IdentityRoleMapping]) -> RoleChanges:
    """Make ``user``'s memberships in the teams the source's mappings name, and the admin role
    (``is_staff`` and the "Portal admins" group) once an admin mapping of the source exists, follow
    ``granted``; every change is an audit event. Unmapped teams are left alone, and an existing
    membership keeps its role (a lead stays lead)."""
    via = VIA[source]
    managed = {m.team_id for m in mappings if m.team_id}
    wanted = {m.team_id: m for m in granted if m.team_id}
    held = {ms.team_id: ms for ms in Membership.objects.filter(user=user).select_related("team")}
    changes = RoleChanges()
    for team_id, mapping in sorted(wanted.items()):
        if team_id in held:
            continue
        Membership.objects.create(team=mapping.team, user=user, role=Membership.Role.MEMBER)
        record_event(actor=None, verb="membership.added", target=mapping.team, data={
            "user": user.username, "role": Membership.Role.MEMBER, "as": mapping.role, "group": mapping.group,
            "via": via})
        changes.added.append(mapping.team.slug)
    for team_id in sorted((managed & held.keys()) - wanted.keys()):
        membership = held[team_id]
        membership.delete()
        record_event(actor=None, verb="membership.removed", target=membership.team, data={
            "user": user.username, "role": membership.role, "via": via,
            "why": f"not in any {WHERE[source]} mapped to this team"})
        changes.removed.append(membership.team.slug)
    if any(m.role == IdentityRoleMapping.Role.ADMIN for m in mappings):
        _apply_admin_role(user, granted, changes, via)
    return changes


def _apply_admin_role(user, granted: list[IdentityRoleMapping], changes: RoleChanges, via: str) -> None:
    """The admin role is ``is_staff`` (the admin's door) plus the "Portal admins" group (what it may do
    there); both are granted and taken away together."""
    staff = any(m.role == IdentityRoleMapping.Role.ADMIN for m in granted)
    group = portal_admins_group()
    in_group = user.groups.filter(pk=group.pk).exists()
    if user.is_staff == staff and in_group == staff:
        return
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
        changes.is_staff = staff
    if staff:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    groups = [m.group for m in granted if m.role == IdentityRoleMapping.Role.ADMIN]
    record_event(actor=None, verb="user.staff_granted" if staff else "user.staff_revoked", target=user,
                 data={"user": user.username, "groups": groups, "permissions_group": group.name, "via": via})
