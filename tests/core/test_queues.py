"""Every kind of work has its queue, and the embedded run (runportal) starts a worker for each one:
applies never hold up previews, and neither holds up a webhook or a directory sync."""

import pytest

from portal.celery import app
from portal.core.management.commands.runportal import portal_children
from provisioning.models import Run
from provisioning.workers import QUEUES, WORKERS, worker_argv

LIGHT_TASKS = {  # the tasks of the default queue: seconds each, never behind a Terraform run
    "approvals.check_slas", "inventory.sync_team_groups",
    "inventory.reconcile_directory_groups", "inventory.check_repo_versions", "onboarding.expire_resources",
    "onboarding.check_drift", "provisioning.reap_runs", "notifications.deliver_webhook", "utilization.collect",
    "utilization.follow_schedules", "migration.remind_revisits", "onboarding.purge_idempotency_keys",
    "notifications.resend_stalled_deliveries", "datasets.open_access_reviews", "datasets.remind_access_reviews",
}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name, (), {})["queue"].name


def test_every_task_of_the_portal_is_routed_to_its_queue():
    app.loader.import_default_modules()  # autodiscovery: every app's tasks module
    ours = {name for name in app.tasks if not name.startswith("celery.")}
    assert ours == LIGHT_TASKS | {"provisioning.execute_run"}, "a new task: route it in CELERY_TASK_ROUTES"
    assert {name: queue_of(name) for name in LIGHT_TASKS} == dict.fromkeys(LIGHT_TASKS, "default")
    assert queue_of("provisioning.execute_run") == "runs"


@pytest.mark.parametrize(("action", "queue"), [
    ("plan", "previews"), ("drift_check", "previews"), ("apply", "runs"), ("destroy", "runs"), ("upgrade", "runs"),
])
def test_a_run_goes_to_the_queue_of_its_kind_of_work(action, queue):
    assert Run(action=action).queue == queue
    assert queue in QUEUES


def test_runportal_starts_one_worker_for_each_queue(settings, tmp_path):
    settings.PORTAL_CLOUD, settings.PORTAL_GIT_HTTP_ADDR = "aws", ""  # only the portal's own processes
    children = portal_children("127.0.0.1:8000", tmp_path)
    assert [c.name for c in children] == ["runs worker", "previews worker", "default worker", "beat", "web server"]
    served = []
    for child in children[:3]:
        argv = child.start.args[0]
        served.append(argv[argv.index("-Q") + 1])
        assert argv in [worker_argv(kind) for kind in WORKERS]
        assert "--pool=prefork" in argv  # the run time limits need prefork
    assert served == ["runs", "previews", "default"]  # each worker serves exactly one queue, every queue is served


def test_local_terraform_state_with_a_shared_broker_is_flagged(settings):
    from provisioning.checks import many_hosts_settings

    settings.CELERY_BROKER_URL, settings.TERRAFORM_STATE_BACKEND = "redis://127.0.0.1:6379/8", "local"
    assert [w.id for w in many_hosts_settings()] == ["provisioning.W003"]
    settings.TERRAFORM_STATE_BACKEND = "pg"
    assert many_hosts_settings() == []
    settings.CELERY_BROKER_URL, settings.TERRAFORM_STATE_BACKEND = "filesystem://localhost/", "local"
    assert many_hosts_settings() == []  # the embedded run: one host
