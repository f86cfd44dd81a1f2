from .models import Team


def teams_of(user, *, kind: str | None = None):
    qs = Team.objects.filter(memberships__user=user)
    return qs.filter(kind=kind) if kind else qs


def is_member(user, team) -> bool:
    return team.memberships.filter(user=user).exists()
