"""Portal roles that are not team memberships: the platform admin and the auditor.

A *platform admin* holds the ``accounts.platform_admin`` permission — through the "Portal admins"
group (the demo admin and directory admins are in it), directly, or as a superuser. It sees every
team's requests, dashboards and runs and may operate them. ``is_staff`` is not a role: it only opens
the Django admin's door, and grants nothing in the portal's own pages.

An *auditor* reads the whole audit trail (the API's audit calls): a platform admin, or anyone holding
Django's ``audit.view_auditevent`` permission — through the "Auditors" group (``portal.audit.auditors``)
or directly.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

PLATFORM_ADMIN_CODENAME = "platform_admin"
PLATFORM_ADMIN = f"accounts.{PLATFORM_ADMIN_CODENAME}"


def is_platform_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(PLATFORM_ADMIN)


VIEW_AUDIT = "audit.view_auditevent"


def is_auditor(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (is_platform_admin(user) or user.has_perm(VIEW_AUDIT))


def platform_admins():
    """Active people holding the platform admin permission (superusers included)."""
    from django.contrib.auth.models import Permission

    permission = Permission.objects.filter(content_type__app_label="accounts", codename=PLATFORM_ADMIN_CODENAME)
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(user_permissions__in=permission) | Q(groups__permissions__in=permission))
            .distinct())
