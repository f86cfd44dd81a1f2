"""Who registers, sees and changes datasets. Platform admins may do everything; ``is_staff`` grants nothing.

- Registering a dataset on a bucket the portal made: a lead of the owning team (or an admin).
- Registering an existing bucket (not made by the portal): platform admins only.
- Every signed-in person finds every dataset in the catalogue; the details of a *restricted* dataset
  (bucket, prefix, description, notes, retention) are seen only by the owning team and admins — the others
  see its name and owner.
"""

from __future__ import annotations

from portal.core.roles import is_platform_admin
from portal.onboarding.models import DataClassification
from portal.teams.models import Membership
from portal.teams.permissions import may_act_for_team


def is_lead(user, team) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and team.memberships.filter(
        user=user, role=Membership.Role.LEAD).exists()


def may_register(user, team) -> bool:
    return is_platform_admin(user) or is_lead(user, team)


def may_register_existing_bucket(user) -> bool:
    return is_platform_admin(user)


def sees_details(user, dataset) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return dataset.classification != DataClassification.RESTRICTED or may_act_for_team(user, dataset.team)


def may_see_grants(user, dataset) -> bool:
    """Who holds access to a dataset: its team (and admins)."""
    return may_act_for_team(user, dataset.team)


def may_see_review(user, review) -> bool:
    """The owning team (the data owner is in it) and platform admins."""
    return may_act_for_team(user, review.dataset.team)


def may_decide_review(user, review) -> bool:
    """Only the dataset's data owner keeps or revokes."""
    return getattr(user, "is_authenticated", False) and user.pk == review.dataset.data_owner_id
