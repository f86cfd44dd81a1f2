"""Thin task interfaces: receive a pk, call the service. Callers fire them on commit."""

from celery import shared_task


@shared_task(name="provisioning.execute_run", acks_late=True)
def execute_run_task(run_pk: int) -> None:
    from portal.onboarding.services import record_item_outcome

    from .executor import execute_run
    run = execute_run(run_pk)
    if run is not None and not run.will_retry:
        record_item_outcome(run=run)


@shared_task(name="provisioning.reap_runs", ignore_result=True)
def reap_runs_task() -> None:
    """Periodic (CELERY_BEAT_SCHEDULE): retry or fail runs whose worker died, resend lost tasks."""
    from .reaper import reap_runs

    reap_runs()


@shared_task(name="provisioning.sync_team_groups", autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def sync_team_groups_task(team_pk: int) -> None:
    from portal.teams.models import Team

    from .directory_sync import sync_team_groups

    team = Team.objects.filter(pk=team_pk).first()
    if team is not None:
        sync_team_groups(team)


@shared_task(name="provisioning.reconcile_directory_groups")
def reconcile_directory_groups_task() -> None:
    from .directory_sync import reconcile_groups

    reconcile_groups()


@shared_task(name="provisioning.check_repo_versions", ignore_result=True)
def check_repo_versions_task(resource_pks: list[int] | None = None) -> None:
    """Periodic (CELERY_BEAT_SCHEDULE) and on the team dashboard: record which scaffold version each
    repo's main is on, so a merged upgrade branch stops showing the repo as behind."""
    from .repo_versions import check_repo_versions

    check_repo_versions(resource_pks=resource_pks)
