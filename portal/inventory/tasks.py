"""Thin task interfaces for the inventory; beat fires them (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(name="inventory.sync_team_groups", autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def sync_team_groups_task(team_pk: int) -> None:
    from portal.teams.models import Team

    from .directory_groups import sync_team_groups

    team = Team.objects.filter(pk=team_pk).first()
    if team is not None:
        sync_team_groups(team)


@shared_task(name="inventory.reconcile_directory_groups")
def reconcile_directory_groups_task() -> None:
    from .directory_groups import reconcile_groups

    reconcile_groups()


@shared_task(name="inventory.check_repo_versions", ignore_result=True)
def check_repo_versions_task(resource_pks: list[int] | None = None) -> None:
    """Periodic (CELERY_BEAT_SCHEDULE) and on the team dashboard: record which scaffold version each
    repo's main is on, so a merged upgrade branch stops showing the repo as behind."""
    from .repo_versions import check_repo_versions

    check_repo_versions(resource_pks=resource_pks)
