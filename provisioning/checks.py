"""System checks for the settings long runs depend on (``manage.py check``)."""

from django.conf import settings
from django.core import checks


@checks.register()
def long_run_settings(app_configs, **kwargs):
    problems = []
    hard = getattr(settings, "CELERY_TASK_TIME_LIMIT", None)
    soft = getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None)
    visibility = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("visibility_timeout")
    if visibility is not None and hard is not None and visibility <= hard + settings.RUN_RETRY_MAX_SECONDS:
        problems.append(checks.Error(
            f"The broker's visibility_timeout ({visibility} s) must exceed the hard time limit plus the "
            f"longest retry backoff ({hard} + {settings.RUN_RETRY_MAX_SECONDS:.0f} s), or a long run's task "
            "is delivered to a second worker.", id="provisioning.E001"))
    if soft is not None and hard is not None and soft + settings.RUN_STOP_GRACE_SECONDS >= hard:
        problems.append(checks.Error(
            "The soft time limit plus RUN_STOP_GRACE_SECONDS must stay below the hard time limit, so an "
            "overdue run can stop Terraform cleanly before the worker is killed.", id="provisioning.E002"))
    if settings.RUN_STALE_SECONDS < 3 * settings.RUN_HEARTBEAT_SECONDS:
        problems.append(checks.Warning(
            "RUN_STALE_SECONDS is under three heartbeats: the reaper may take live runs away.",
            id="provisioning.W001"))
    if not getattr(settings, "CELERY_TASK_ACKS_LATE", False) or not getattr(
            settings, "CELERY_TASK_REJECT_ON_WORKER_LOST", False):
        problems.append(checks.Warning(
            "Runs need CELERY_TASK_ACKS_LATE and CELERY_TASK_REJECT_ON_WORKER_LOST.", id="provisioning.W002"))
    problems += many_hosts_settings()
    return problems


def many_hosts_settings() -> list:
    """A shared broker means workers may run on several hosts: a run must find nothing it needs on one
    host's disk (working dirs are a cache rebuilt from the run's snapshot), so Terraform state cannot be
    local files there."""
    if settings.CELERY_BROKER_URL.startswith("filesystem:") or settings.TERRAFORM_STATE_BACKEND != "local":
        return []
    return [checks.Warning(
        "TERRAFORM_STATE_BACKEND is 'local' with a shared broker: each worker host keeps its own state files "
        "under PORTAL_DATA_DIR, so a run on another host would not see its item's state (and would create the "
        "resources again).", hint="Use the 'pg' backend (the default with PostgreSQL) when workers run on "
        "several hosts.", id="provisioning.W003")]
