"""The "Auditors" auth group: people who read the whole audit trail (the API's audit calls and its
export) without being platform admins. What they hold is Django's ``audit.view_auditevent``
permission — and never a write on audit events.

``ensure_auditors_group`` is idempotent. It runs after every ``migrate`` (post_migrate, see
``apps.py``), as the "Portal admins" group does (``portal.accounts.admin_group``), so new databases
and test databases have the group; an admin puts people in it.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

AUDITORS = "Auditors"
VIEW_AUDIT = "audit.view_auditevent"
FORBIDDEN = ("add_auditevent", "change_auditevent", "delete_auditevent")


def _audit_permissions(codenames, using: str):
    from django.contrib.auth.models import Permission

    return Permission.objects.using(using).filter(content_type__app_label="audit",
                                                  content_type__model="auditevent", codename__in=codenames)


def ensure_auditors_group(using: str = DEFAULT_DB_ALIAS):
    """The group with the view permission on audit events (once it exists) and no write on them."""
    from django.contrib.auth.models import Group

    group, _ = Group.objects.using(using).get_or_create(name=AUDITORS)
    group.permissions.add(*_audit_permissions(["view_auditevent"], using))
    group.permissions.remove(*_audit_permissions(FORBIDDEN, using))
    return group


def ensure_after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: auth has just created the audit app's permissions; give the group its own."""
    from django.contrib.auth.models import Group, Permission

    if sender.label not in ("audit", "auth"):
        return
    tables = set(connections[using].introspection.table_names())
    if {Group._meta.db_table, Permission._meta.db_table, Group.permissions.through._meta.db_table} <= tables:
        ensure_auditors_group(using)  # (not after "migrate auth zero")
