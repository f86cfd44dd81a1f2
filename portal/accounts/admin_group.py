"""The "Portal admins" auth group: the model permissions a portal admin needs in the Django admin.

``is_staff`` only opens the admin's door; these permissions decide what an admin sees and edits there:
resource templates and their versions, bundles and prices, approval rules, teams, memberships and
quotas; read-only views of resources, runs, approval stages and the audit trail. Audit events are
never added, changed or deleted by anyone through the admin. The group also holds the platform admin
role (``accounts.platform_admin``, see ``roles``): what an admin may see and do in the portal's own pages.

``ensure_portal_admins_group`` is idempotent. It runs after every ``migrate`` (post_migrate, see
``apps.py``), so new databases and test databases have the group, and when a directory login grants
the admin role (``identity_roles``).
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q

PORTAL_ADMINS = "Portal admins"

EDIT = ("add", "change", "view")
ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

# app label -> model -> actions
ADMIN_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    # Templates are never deleted (requests and resources point at their versions); draft versions
    # may be (the admin refuses deleting a published one).
    "catalog": {"resourcetemplate": EDIT, "templateversion": ALL, "bundle": ALL, "bundleitem": ALL, "price": ALL},
    "approvals": {"approvalrule": ALL, "rulecondition": ALL, "approvalstage": VIEW, "decision": VIEW,
                  "delegation": VIEW},
    "teams": {"team": ALL, "membership": ALL, "quota": ALL},
    "inventory": {"provisionedresource": VIEW},
    "provisioning": {"run": VIEW},
    "audit": {"auditevent": VIEW},
    # Adding people to teams picks users (autocomplete needs view); role mappings stay superuser-only.
    "accounts": {"user": VIEW, "identityrolemapping": VIEW},
    # Failed logins (django-axes): deleting an access attempt unlocks that username+address early.
    "axes": {"accessattempt": ("view", "delete"), "accesslog": VIEW, "accessfailurelog": VIEW},
}
# Permissions that are roles rather than model actions: app label -> codenames.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {"accounts": ("platform_admin",)}
# Whatever else happens to the group, these are taken away again.
FORBIDDEN: dict[str, dict[str, tuple[str, ...]]] = {"audit": {"auditevent": ("add", "change", "delete")}}


def _matching(spec: dict[str, dict[str, tuple[str, ...]]], using: str = DEFAULT_DB_ALIAS, *,
              roles: dict[str, tuple[str, ...]] | None = None):
    from django.contrib.auth.models import Permission

    query = Q(pk__in=[])
    for app_label, models in spec.items():
        for model, actions in models.items():
            query |= Q(content_type__app_label=app_label, content_type__model=model,
                       codename__in=[f"{action}_{model}" for action in actions])
    for app_label, codenames in (roles or {}).items():
        query |= Q(content_type__app_label=app_label, codename__in=codenames)
    return Permission.objects.using(using).filter(query)


def ensure_portal_admins_group(using: str = DEFAULT_DB_ALIAS):
    """The group with (at least) the admin permissions that exist so far, and never the forbidden ones."""
    from django.contrib.auth.models import Group

    group, _ = Group.objects.using(using).get_or_create(name=PORTAL_ADMINS)
    group.permissions.add(*_matching(ADMIN_PERMISSIONS, using, roles=ROLE_PERMISSIONS))
    group.permissions.remove(*_matching(FORBIDDEN, using))
    return group


def portal_admins_group():
    from django.contrib.auth.models import Group

    return Group.objects.filter(name=PORTAL_ADMINS).first() or ensure_portal_admins_group()


def ensure_after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: auth has just created the sending app's permissions; add those we need."""
    from django.contrib.auth.models import Group, Permission

    if sender.label not in ADMIN_PERMISSIONS and sender.label != "auth":
        return
    tables = set(connections[using].introspection.table_names())
    if {Group._meta.db_table, Permission._meta.db_table, Group.permissions.through._meta.db_table} <= tables:
        ensure_portal_admins_group(using)  # (not after "migrate auth zero")
