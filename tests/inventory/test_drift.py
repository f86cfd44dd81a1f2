"""Drift bookkeeping without Terraform: what a check's outcome does to the resource, accept and
reconcile (a scripted engine), who may press the buttons, what the beat and the command queue, the reaper."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from portal.audit.selectors import events_for
from portal.inventory.drift import accept_drift, due_for_drift_check
from portal.inventory.models import ProvisionedResource
from portal.inventory.services import record_resource
from portal.onboarding.models import OnboardingRequest, RequestItem, RequestStatus
from portal.onboarding.selectors import timeline as timeline_of
from portal.onboarding.services import request_drift_check, settle_run, submit_new_request
from portal.onboarding.tasks import check_drift_task
from provisioning.engines import PlanSummary
from provisioning.models import Run, RunStatus
from provisioning.reaper import reap_runs
from provisioning.runners.terraform import TerraformFailed
from tests.fixtures.people import CPU_VM_VALUES
from tests.fixtures.runs import make_run, make_version
from tests.provisioning import terraform_errors as real

pytestmark = pytest.mark.django_db(transaction=True)

Drift = ProvisionedResource.DriftStatus
TAG_DRIFT = {"add": 0, "change": 1, "destroy": 0, "resources": [
    {"address": "aws_instance.this", "type": "aws_instance", "actions": ["update"],
     "attributes": [{"name": "tags.Purpose", "before": "by hand", "after": "feature work"}]}]}
TYPE_DRIFT = {"add": 0, "change": 1, "destroy": 0, "resources": [
    {"address": "aws_instance.this", "type": "aws_instance", "actions": ["update"],
     "attributes": [{"name": "instance_type", "before": "t3.xlarge", "after": "t3.large"}]}]}
NO_DRIFT = {"add": 0, "change": 0, "destroy": 0, "resources": []}


def activate(request, *items_outputs) -> list[ProvisionedResource]:
    OnboardingRequest.objects.filter(pk=request.pk).update(status=RequestStatus.ACTIVE)
    RequestItem.objects.filter(request=request).update(status=RequestItem.Status.ACTIVE)
    Run.objects.filter(item__request=request).update(status=RunStatus.SUCCEEDED,  # the approvers' plan preview
                                                     finished_at=timezone.now() - timedelta(days=2))
    return [record_resource(item=item, outputs=outputs) for item, outputs in items_outputs]


@pytest.fixture
def vm(mlops_only):
    """An active CPU VM of churn-modelling, from a request the MLOps approver has a stage on."""
    demo = mlops_only
    request = submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"], title="vm",
                                 items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)])
    (resource,) = activate(request, (request.items.get(), {"instance_id": "i-0abc", "private_ip": "10.0.0.5"}))
    return resource


def ended_check(resource, summary, *, status=RunStatus.SUCCEEDED, at=None, error=""):
    return make_run(item=resource.item, action=Run.Action.DRIFT_CHECK, status=status, plan_summary=summary,
                              finished_at=at or timezone.now(), error=error)


def settle(resource, summary, **kwargs) -> ProvisionedResource:
    settle_run(run=ended_check(resource, summary, **kwargs))
    resource.refresh_from_db()
    return resource


def verbs(request):
    return list(events_for(request).values_list("verb", flat=True))


def test_check_outcomes_drift_accept_and_a_different_drift(vm, demo):
    request = vm.item.request
    assert settle(vm, NO_DRIFT).drift_status == Drift.IN_SYNC
    checked = vm.last_drift_check_at

    vm = settle(vm, TAG_DRIFT)
    assert vm.drift_status == Drift.DRIFTED and vm.drift_summary == TAG_DRIFT and vm.last_drift_check_at > checked
    detected = vm.drift_detected_at
    assert settle(vm, TAG_DRIFT).drift_detected_at == detected  # the same drift again: since the first sighting
    assert verbs(request).count("resource.drift_detected") == 1

    accept_drift(resource=vm, actor=demo.people["requester"])
    vm.refresh_from_db()
    assert vm.drift_status == Drift.ACCEPTED and vm.drift_accepted_by == demo.people["requester"]
    assert settle(vm, TAG_DRIFT).drift_status == Drift.ACCEPTED  # still the drift the team accepted
    vm = settle(vm, TYPE_DRIFT)  # something else moved: flagged again
    assert vm.drift_status == Drift.DRIFTED and vm.drift_accepted_by is None and vm.drift_summary == TYPE_DRIFT
    assert vm.drift_detected_at > detected

    vm = settle(vm, NO_DRIFT)
    assert vm.drift_status == Drift.IN_SYNC and vm.drift_summary is None
    assert verbs(request).count("resource.drift_detected") == 2
    assert {"resource.drift_accepted", "resource.drift_gone"} <= set(verbs(request))
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE

    # An outcome older than what the resource knows changes nothing (a late or repeated settle).
    assert settle(vm, TAG_DRIFT, at=timezone.now() - timedelta(hours=1)).drift_status == Drift.IN_SYNC


def test_a_failed_check_keeps_the_state_and_says_why(client, vm, demo):
    settle(vm, TAG_DRIFT)
    vm = settle(vm, None, status=RunStatus.FAILED, error="terraform plan failed (exit 1). Error: boom")
    assert vm.drift_status == Drift.DRIFTED and vm.last_drift_check_at is not None
    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{vm.item.request_id}/").content.decode()
    assert "data-drift-check-failed" in page and "Error: boom" in page
    assert 'data-drift-attribute="tags.Purpose"' in page


def test_reconcile_applies_without_touching_the_request(client, vm, demo, fake_engine, inline_tasks):
    settle(vm, TAG_DRIFT)
    client.force_login(demo.people["requester"])

    # A failed reconcile: the request stays active, nothing is cleaned up, the drift stays.
    fake_engine.fail(vm.name, "apply", TerraformFailed("apply", 1, real.tail(real.BAD_AMI)))
    client.post(f"/inventory/resources/{vm.pk}/drift/reconcile/")
    inline_tasks.drain()
    run = Run.objects.get(purpose=Run.Purpose.RECONCILE)
    assert run.action == Run.Action.APPLY and run.status == RunStatus.FAILED
    vm.refresh_from_db()
    request = vm.item.request
    request.refresh_from_db()
    assert vm.drift_status == Drift.DRIFTED and request.status == RequestStatus.ACTIVE
    assert RequestItem.objects.get(pk=vm.item_id).status == RequestItem.Status.ACTIVE
    assert not Run.objects.filter(action=Run.Action.DESTROY).exists()
    assert "resource.reconcile_failed" in verbs(request)
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert 'id="request-failure"' not in page and 'id="retry-request"' not in page

    # Pressed again, it works: in sync, with the apply's outputs recorded.
    fake_engine.outputs[vm.name] = {"instance_id": "i-0abc", "private_ip": "10.0.0.6"}
    response = client.post(f"/inventory/resources/{vm.pk}/drift/reconcile/", {"next": "/teams/churn-modelling/"})
    assert response["Location"] == "/teams/churn-modelling/"
    inline_tasks.drain()
    vm.refresh_from_db()
    assert vm.drift_status == Drift.IN_SYNC and vm.outputs["private_ip"] == "10.0.0.6"
    assert {"resource.reconcile_requested", "resource.reconciled"} <= set(verbs(request))
    assert fake_engine.names("apply") == [vm.name, vm.name]


def test_engines_without_terraform_skip_the_check(vm, demo, fake_engine, inline_tasks):
    request_drift_check(resource=vm, actor=demo.people["requester"])
    inline_tasks.drain()
    run = Run.objects.get(action=Run.Action.DRIFT_CHECK)
    assert run.status == RunStatus.SUCCEEDED and run.plan_summary is None
    assert any("has no drift check" in line for line in run.log_lines.values_list("text", flat=True))
    vm.refresh_from_db()
    assert vm.drift_status == Drift.NONE and vm.last_drift_check_at == run.finished_at

    fake_engine.check_drift = lambda ctx: PlanSummary(**TAG_DRIFT)
    second = request_drift_check(resource=vm, actor=None)
    inline_tasks.drain()
    vm.refresh_from_db()
    assert vm.drift_status == Drift.DRIFTED

    # The request's timeline tells what checks found, not their routine (a check a day adds up).
    timeline = [entry.what for entry in timeline_of(vm.item.request)]
    assert "found drift on churn-vm: aws_instance.this not as declared" in timeline
    assert not any(f"#{check.pk}" in what for what in timeline for check in (run, second))


def test_who_may_press_the_buttons(client, vm, demo, make_user, inline_tasks):
    settle(vm, TAG_DRIFT)
    outsider = make_user("outsider", team=demo.teams["finance"])
    urls = [f"/inventory/resources/{vm.pk}/drift/{action}/" for action in ("check", "reconcile", "accept")]

    for url in urls:
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")  # anonymous
    client.force_login(outsider)
    assert [client.post(url).status_code for url in urls] == [404, 404, 404]  # other team: not even seen
    client.force_login(demo.people["approver"])  # sees the request (their stage), may not operate it
    assert [client.post(url).status_code for url in urls] == [403, 403, 403]
    assert client.get(urls[0]).status_code == 405
    client.force_login(demo.people["requester"])
    assert client.post(f"/inventory/resources/{vm.pk}/drift/explode/").status_code == 404
    assert not Run.objects.filter(status=RunStatus.QUEUED).exists()
    vm.refresh_from_db()
    assert vm.drift_status == Drift.DRIFTED

    page = client.get(f"/requests/{vm.item.request_id}/").content.decode()
    assert 'data-drift-action="check"' in page and 'data-drift-action="reconcile"' in page
    client.force_login(demo.people["approver"])
    assert 'data-drift-action=' not in client.get(f"/requests/{vm.item.request_id}/").content.decode()

    client.force_login(demo.people["requester"])
    response = client.post(urls[0], {"next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[0][0] == f"/requests/{vm.item.request_id}/#drift-{vm.pk}"  # never off-site
    assert "Drift check of churn-vm queued" in response.content.decode()
    # A run is active on the item: every button refuses, with a message (never a 500).
    for url in urls:
        response = client.post(url, follow=True)
        assert response.status_code == 200 and "already queued or running" in response.content.decode()
    assert Run.objects.filter(status=RunStatus.QUEUED).count() == 1
    page = response.content.decode()
    assert "data-drift-busy" in page and 'data-drift-action=' not in page

    client.force_login(demo.people["admin"])  # staff may
    Run.objects.filter(status=RunStatus.QUEUED).update(status=RunStatus.SUCCEEDED, finished_at=timezone.now())
    client.post(urls[2])
    vm.refresh_from_db()
    assert vm.drift_status == Drift.ACCEPTED and vm.drift_accepted_by == demo.people["admin"]
    response = client.post(urls[2], follow=True)  # nothing left to accept
    assert "it is accepted already" in response.content.decode()


def test_a_running_drift_check_can_be_cancelled_from_the_request_page(client, vm, demo, inline_tasks):
    run = request_drift_check(resource=vm, actor=demo.people["requester"])
    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{vm.item.request_id}/").content.decode()
    assert 'id="cancel-runs"' in page
    client.post(f"/requests/{vm.item.request_id}/cancel/")
    run.refresh_from_db()
    request = vm.item.request
    request.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and request.status == RequestStatus.ACTIVE


@pytest.fixture
def fleet(vm, demo):
    """Resources in every situation the periodic check must tell apart; by name."""
    version = demo.versions["cpu-vm"]
    repo = make_version("repo", engine="scaffold", module="ml_project")
    request = submit_new_request(actor=demo.people["requester"], team=vm.team, title="fleet", items=[
        (version, {**CPU_VM_VALUES, "name": "checked-recently"}), (version, {**CPU_VM_VALUES, "name": "busy"}),
        (version, {**CPU_VM_VALUES, "name": "gone"}), (version, {**CPU_VM_VALUES, "name": "brand-new"}),
        (version, {**CPU_VM_VALUES, "name": "stale"})])
    items = {item.values["name"]: item for item in request.items.all()}
    resources = {r.name: r for r in activate(request, *((item, {}) for item in items.values()))}
    repo_item = RequestItem.objects.create(request=request, template_version=repo, values={"name": "code"})
    resources["code"] = record_resource(item=repo_item, outputs={})
    resources[vm.name] = vm
    now = timezone.now()
    old = now - timedelta(hours=30)
    ProvisionedResource.objects.exclude(name="brand-new").update(created_at=old)
    ProvisionedResource.objects.filter(name="checked-recently").update(last_drift_check_at=now - timedelta(hours=2))
    ProvisionedResource.objects.filter(name="stale").update(last_drift_check_at=old)
    ProvisionedResource.objects.filter(name="gone").update(status=ProvisionedResource.Status.DESTROYED)
    make_run(item=items["busy"], action=Run.Action.APPLY, purpose=Run.Purpose.RECONCILE)
    return resources


def checked_names():
    return sorted(Run.objects.filter(action=Run.Action.DRIFT_CHECK).values_list("item__resource__name", flat=True))


def test_the_periodic_check_queues_only_stale_active_terraform_resources(fleet, inline_tasks, settings):
    assert "check-drift" in django_settings.CELERY_BEAT_SCHEDULE  # beside the others, not instead
    assert "provisioning-reap-runs" in django_settings.CELERY_BEAT_SCHEDULE
    assert [r.name for r in due_for_drift_check()] == ["churn-vm", "stale"]  # never checked first
    settings.PORTAL_DRIFT_CHECKS_PER_ROUND = 1
    assert check_drift_task() == 1
    assert checked_names() == ["churn-vm"]
    assert check_drift_task() == 1  # churn-vm has an active run now
    assert checked_names() == ["churn-vm", "stale"]
    assert check_drift_task() == 0
    assert len(inline_tasks.sent) == 2


def test_the_command_queues_due_checks_or_all(fleet, inline_tasks, capsys):
    call_command("check_drift")
    assert checked_names() == ["churn-vm", "stale"]
    assert "drift checks queued: 2" in capsys.readouterr().out
    Run.objects.filter(action=Run.Action.DRIFT_CHECK).update(status=RunStatus.SUCCEEDED)
    call_command("check_drift", "--all")
    assert checked_names() == ["brand-new", "checked-recently", "churn-vm", "churn-vm", "stale", "stale"]
    call_command("check_drift", "--resource", str(fleet["code"].pk))
    assert "not managed by Terraform" in capsys.readouterr().err


def test_the_reaper_settles_a_check_whose_outcome_was_never_recorded(vm):
    long_ago = timezone.now() - timedelta(minutes=10)
    run = ended_check(vm, TAG_DRIFT, at=long_ago)  # the worker died between its two commits
    reaped = reap_runs()
    assert run.pk in reaped.settled
    vm.refresh_from_db()
    assert vm.drift_status == Drift.DRIFTED and vm.last_drift_check_at == long_ago
    assert reap_runs().settled == []  # once
