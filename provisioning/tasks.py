"""Thin task interfaces: receive a pk, call the service. Callers fire them on commit."""

from celery import shared_task


@shared_task(name="provisioning.execute_run", acks_late=True)
def execute_run_task(run_pk: int) -> None:
    """Carry out a run; how it ended reaches the portal through ``signals.run_ended``."""
    from .executor import execute_run

    execute_run(run_pk)


@shared_task(name="provisioning.reap_runs", ignore_result=True)
def reap_runs_task() -> None:
    """Periodic (CELERY_BEAT_SCHEDULE): retry or fail runs whose worker died, resend lost tasks."""
    from .reaper import reap_runs

    reap_runs()
