"""Who may operate a team's things (cancel, retry, check drift, reconcile, upgrade): its members and admins."""

from __future__ import annotations

from .selectors import is_member


def can_operate_team(user, team) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or is_member(user, team)
