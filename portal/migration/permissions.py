"""Who sees and edits a team's data products: its members edit them; MLOps enablement (the steering
team that runs the migration programme) and platform admins see all; anyone else sees nothing (404)."""

from __future__ import annotations

from django.conf import settings

from portal.core.roles import is_platform_admin
from portal.teams.permissions import may_act_for_team


def is_migration_lead(user) -> bool:
    """MLOps enablement and platform admins: every team's products, waves, pilots, the playbook."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_platform_admin(user) or user.memberships.filter(
        team__slug=settings.PORTAL_MIGRATION_TEAM, team__kind="steering").exists()


def can_view_product(user, product) -> bool:
    return may_act_for_team(user, product.team) or is_migration_lead(user)


def can_edit_product(user, product) -> bool:
    """Enter, change, triage and validate: the team's members (and platform admins)."""
    return may_act_for_team(user, product.team)


def can_edit_team(user, team) -> bool:
    return may_act_for_team(user, team)
