"""Change requests — decommission (resource, request, team), extension, new values — and
lifetimes, with a scripted engine: what the requester, the approvers and the inventory see."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.approvals.models import ApprovalRule, RuleCondition
from portal.core.errors import ApplicationError, PermissionDenied
from portal.inventory.expiry import warn_expiring
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import OnboardingRequest, RequestItem, RequestStatus, ResourceChange
from portal.onboarding.services import (
    InvalidValues,
    changes,
    destroy_expired,
    record_decision,
    retry_fulfilment,
    start_fulfilment,
)
from provisioning.models import Run
from provisioning.runners.terraform import TerraformFailed
from tests.fixtures.runs import make_version

pytestmark = pytest.mark.django_db(transaction=True)


def vm(name, instance_type="t3.large"):
    return {"name": name, "instance_type": instance_type, "disk_size_gb": 20, "purpose": "tests"}


@pytest.fixture
def live(mlops_only, approved_request, fake_engine, inline_tasks):
    """A provisioned request: a directory group and two VMs, all active."""
    demo = mlops_only
    group = make_version("directory_group", engine="directory")
    request = approved_request([(demo.versions["cpu-vm"], vm("vm-a")), (group, {"name": "team-group"}),
                                (demo.versions["cpu-vm"], vm("vm-b"))])
    start_fulfilment(request=request, actor=demo.people["approver"])
    inline_tasks.drain()
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE
    fake_engine.calls.clear()
    return request


def resources_of(request):
    return {r.name: r for r in ProvisionedResource.objects.filter(item__request=request)}


def approve(demo, change_request, approver="approver"):
    for stage in change_request.stages.filter(status="pending"):
        record_decision(stage=stage, actor=demo.people[approver], outcome="approve")
    change_request.refresh_from_db()


def test_decommission_of_a_whole_request_goes_through_review_and_destroys_last_created_first(
        live, mlops_only, fake_engine, inline_tasks):
    demo = mlops_only
    resources = list(resources_of(live).values())
    change = changes.request_decommission(actor=demo.people["requester"], resources=resources,
                                          reason="project finished")
    assert change.kind == "decommission" and change.status == RequestStatus.IN_REVIEW
    assert change.routing_facts["request_kind"] == "decommission"
    assert change.stages.get().team.slug == "mlops-enablement"
    inline_tasks.drain()  # the plan previews (destroy plans) for the approvers
    assert sorted(fake_engine.names("plan")) == ["vm-a", "vm-b"]  # Terraform items only
    assert not fake_engine.names("destroy")  # nothing goes before the approval

    with pytest.raises(PermissionDenied):  # nobody approves their own request
        record_decision(stage=change.stages.get(), actor=demo.people["requester"], outcome="approve")
    approve(demo, change)
    live.refresh_from_db()
    assert live.status == RequestStatus.DECOMMISSIONING
    inline_tasks.drain()

    assert fake_engine.names("destroy") == ["vm-b", "vm-a", "team-group"]  # the group after what uses it
    change.refresh_from_db()
    live.refresh_from_db()
    assert change.status == RequestStatus.COMPLETED
    assert live.status == RequestStatus.DECOMMISSIONED
    assert {r.status for r in resources_of(live).values()} == {"destroyed"}
    assert all(r.destroyed_at for r in resources_of(live).values())
    assert set(live.items.values_list("status", flat=True)) == {"destroyed"}


def test_decommission_of_one_resource_keeps_the_rest(live, mlops_only, fake_engine, inline_tasks, client):
    demo = mlops_only
    target = resources_of(live)["vm-a"]
    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/resources/{target.pk}/decommission/")
    assert page.status_code == 200 and "vm-a" in page.content.decode()
    refused = client.post(f"/requests/resources/{target.pk}/decommission/", {"reason": "  "})
    assert refused.status_code == 400 and "Say why" in refused.content.decode()
    response = client.post(f"/requests/resources/{target.pk}/decommission/", {"reason": "not needed"})
    change = OnboardingRequest.objects.get(kind="decommission")
    assert response.status_code == 302 and response["Location"] == f"/requests/{change.pk}/"
    again = client.post(f"/requests/resources/{target.pk}/decommission/", {"reason": "twice"})
    assert again.status_code == 400 and f"request #{change.pk}" in again.content.decode()

    approve(demo, change)
    inline_tasks.drain()
    live.refresh_from_db()
    assert live.status == RequestStatus.ACTIVE  # the other two stay
    assert {n: r.status for n, r in resources_of(live).items()} == {
        "vm-a": "destroyed", "vm-b": "active", "team-group": "active"}
    page = client.get(f"/requests/{change.pk}/").content.decode()
    assert "Decommission of resources that exist" in page and "Destroyed" in page
    assert 'id="savings"' in page and "/month" in page
    origin_page = client.get(f"/requests/{live.pk}/").content.decode()
    assert f"#{change.pk} Decommission vm-a" in origin_page and "Decommission this request" in origin_page


def test_a_failed_destroy_fails_the_change_and_retry_resumes_it(live, mlops_only, fake_engine, inline_tasks):
    demo = mlops_only
    fake_engine.fail("vm-b", "destroy", TerraformFailed("destroy", 1, ["Error: UnauthorizedOperation: denied"]))
    change = changes.request_decommission(actor=demo.people["requester"], resources=list(resources_of(live).values()),
                                          reason="done")
    approve(demo, change)
    inline_tasks.drain()
    change.refresh_from_db()
    live.refresh_from_db()
    assert change.status == RequestStatus.FAILED
    assert live.status == RequestStatus.ACTIVE  # nothing went: it is shown as it is
    failed = ResourceChange.objects.get(request=change, status="failed")
    assert failed.resource.name == "vm-b" and "UnauthorizedOperation" in failed.error

    retry_fulfilment(request=change, actor=demo.people["requester"])
    inline_tasks.drain()
    change.refresh_from_db()
    live.refresh_from_db()
    assert change.status == RequestStatus.COMPLETED and live.status == RequestStatus.DECOMMISSIONED
    assert fake_engine.names("destroy") == ["vm-b", "vm-b", "vm-a", "team-group"]


def test_offboarding_decommissions_everything_a_team_owns_in_one_request(live, mlops_only, approved_request,
                                                                         fake_engine, inline_tasks, client):
    demo = mlops_only
    other = approved_request([(demo.versions["cpu-vm"], vm("vm-c"))], title="second project")
    start_fulfilment(request=other, actor=demo.people["approver"])
    inline_tasks.drain()
    client.force_login(demo.people["requester"])
    dashboard = client.get("/teams/churn-modelling/").content.decode()
    assert "/requests/offboard/churn-modelling/" in dashboard
    response = client.post("/requests/offboard/churn-modelling/", {"reason": "the team moves on"})
    assert response.status_code == 302
    change = OnboardingRequest.objects.get(kind="decommission")
    assert change.title == f"Offboard {demo.teams['churn-modelling']}" and change.changes.count() == 4
    approve(demo, change)
    inline_tasks.drain()
    assert not ProvisionedResource.objects.filter(team=demo.teams["churn-modelling"], status="active").exists()
    assert set(OnboardingRequest.objects.filter(kind="new").values_list("status", flat=True)) == {"decommissioned"}


def test_only_the_team_or_an_admin_may_ask_and_pages_hide_other_teams(live, mlops_only, make_user, client):
    demo = mlops_only
    target = resources_of(live)["vm-a"]
    outsider = make_user("outsider", team=demo.teams["mlops-enablement"])
    with pytest.raises(PermissionDenied):
        changes.request_decommission(actor=outsider, resources=[target], reason="mine now")
    client.force_login(outsider)
    for path in (f"/requests/resources/{target.pk}/decommission/", f"/requests/resources/{target.pk}/extend/",
                 f"/requests/resources/{target.pk}/change/", f"/requests/{live.pk}/decommission/",
                 "/requests/offboard/churn-modelling/"):
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"reason": "x"}).status_code == 404, path
    client.logout()
    assert client.get(f"/requests/resources/{target.pk}/extend/").status_code == 302  # to the login page
    assert not OnboardingRequest.objects.filter(kind="decommission").exists()


def test_rules_can_route_change_requests_by_kind(live, mlops_only):
    demo = mlops_only
    rule = ApprovalRule.objects.create(name="Decommissions", team=demo.teams["cloud-ops"], reason="Cloud Ops "
                                       "checks nothing else depends on it")
    RuleCondition.objects.create(rule=rule, fact="request_kind", operator="equals", value="decommission")
    change = changes.request_decommission(actor=demo.people["requester"], resources=[resources_of(live)["vm-a"]],
                                          reason="done")
    assert {s.team.slug for s in change.stages.all()} == {"mlops-enablement", "cloud-ops"}


def test_new_values_are_planned_for_the_approvers_then_applied(live, mlops_only, fake_engine, inline_tasks,
                                                               monkeypatch, client):
    demo = mlops_only
    target = resources_of(live)["vm-a"]
    seen = []
    apply, plan = fake_engine.apply, fake_engine.plan
    fixed = target.item.template_version.fixed_values

    def given(ctx) -> dict:  # the snapshot's values, without the ownership tags and the admin-fixed ones
        return {k: v for k, v in ctx.spec.variables.items() if k != "tags" and k not in fixed}

    monkeypatch.setattr(fake_engine, "apply", lambda ctx: seen.append(("apply", given(ctx))) or apply(ctx))
    monkeypatch.setattr(fake_engine, "plan", lambda ctx: seen.append(("plan", given(ctx))) or plan(ctx))
    client.force_login(demo.people["requester"])
    form = client.get(f"/requests/resources/{target.pk}/change/").content.decode()
    assert "t3.large" in form
    bad = client.post(f"/requests/resources/{target.pk}/change/", {
        "values-instance_type": "t3.large", "values-disk_size_gb": "20", "values-purpose": "tests", "reason": "r"})
    assert bad.status_code == 400 and "Nothing changes" in bad.content.decode()
    response = client.post(f"/requests/resources/{target.pk}/change/", {
        "values-name": "renamed", "values-instance_type": "t3.xlarge", "values-disk_size_gb": "20",
        "values-purpose": "tests", "reason": "more memory"})
    assert response.status_code == 302
    change = OnboardingRequest.objects.get(kind="modify")
    assert change.changes.get().values["name"] == "vm-a"  # the name field is not editable
    page = client.get(f"/requests/{change.pk}/").content.decode()
    assert 'data-value-change="Instance type"' in page and "t3.xlarge" in page
    inline_tasks.drain()
    assert seen == [("plan", {**vm("vm-a"), "instance_type": "t3.xlarge"})]
    item = RequestItem.objects.get(pk=target.item_id)
    assert item.values["instance_type"] == "t3.large"  # unchanged until approved and applied
    client.force_login(demo.people["approver"])
    queue = client.get("/approvals/").content.decode()
    assert "Change of values of CPU virtual machine “vm-a”" in queue and "+1 to add" in queue  # the fake plan

    approve(demo, change)
    inline_tasks.drain()
    change.refresh_from_db()
    item.refresh_from_db()
    assert change.status == RequestStatus.COMPLETED
    assert seen[-1] == ("apply", {**vm("vm-a"), "instance_type": "t3.xlarge"})
    assert item.values["instance_type"] == "t3.xlarge"
    assert ProvisionedResource.objects.get(pk=target.pk).status == "active"


def test_new_values_are_checked_like_a_new_request(live, mlops_only):
    demo = mlops_only
    target, group = resources_of(live)["vm-a"], resources_of(live)["team-group"]
    with pytest.raises(InvalidValues) as error:
        changes.request_modification(actor=demo.people["requester"], resource=target,
                                     values={**vm("vm-a"), "disk_size_gb": -5}, reason="r")
    assert "disk_size_gb" in error.value.errors
    with pytest.raises(InvalidValues):
        changes.request_modification(actor=demo.people["requester"], resource=target, values=vm("other-name"),
                                     reason="r")
    with pytest.raises(ApplicationError, match="cannot be changed in place"):
        changes.request_modification(actor=demo.people["requester"], resource=group, values={"name": "x"},
                                     reason="r")
    assert not OnboardingRequest.objects.filter(kind="modify").exists()


def test_lifetime_warnings_extension_and_expiry(live, mlops_only, fake_engine, inline_tasks, client):
    demo = mlops_only
    now = timezone.now()
    res = resources_of(live)
    ProvisionedResource.objects.filter(pk=res["vm-a"].pk).update(expires_at=now + timedelta(days=6))
    ProvisionedResource.objects.filter(pk=res["vm-b"].pk).update(expires_at=now - timedelta(minutes=1))

    assert warn_expiring(now=now) == 1  # vm-a: the 7-day warning; vm-b is past warnings
    assert warn_expiring(now=now) == 0  # once per threshold
    warnings = [m for m in mail.outbox if " expires " in m.subject]
    assert len(warnings) == 1 and "vm-a expires" in warnings[0].subject
    assert warnings[0].to == ["requester@example.org"]
    assert warn_expiring(now=now + timedelta(days=5, hours=1)) == 1  # the 1-day warning
    warnings = [m for m in mail.outbox if " expires " in m.subject]
    assert len(warnings) == 2 and "vm-a" in warnings[1].subject

    # The team asks for more time for vm-a; bad input is refused with a reason.
    client.force_login(demo.people["requester"])
    refused = client.post(f"/requests/resources/{res['vm-a'].pk}/extend/", {"days": "0", "reason": "r"})
    assert refused.status_code == 400 and "between 1 and 90 days" in refused.content.decode()
    refused = client.post(f"/requests/resources/{res['vm-a'].pk}/extend/", {"days": "many", "reason": "r"})
    assert refused.status_code == 400 and "number of days" in refused.content.decode()
    assert client.post(f"/requests/resources/{res['vm-a'].pk}/extend/",
                       {"days": "30", "reason": "training runs late"}).status_code == 302
    extension = OnboardingRequest.objects.get(kind="extend")
    approve(demo, extension)
    assert extension.status == RequestStatus.COMPLETED
    vm_a = ProvisionedResource.objects.get(pk=res["vm-a"].pk)
    assert vm_a.expires_at == now + timedelta(days=36) and vm_a.expiry_warned_days is None

    # vm-b expired: destroyed by the hourly task, once, and the request says so.
    runs = destroy_expired(now=now)
    assert [r.item.values["name"] for r in runs] == ["vm-b"] and runs[0].purpose == "expiry"
    assert destroy_expired(now=now) == []  # a destroy is already queued
    inline_tasks.drain()
    assert fake_engine.names("destroy") == ["vm-b"]
    assert ProvisionedResource.objects.get(pk=res["vm-b"].pk).status == "destroyed"
    live.refresh_from_db()
    assert live.status == RequestStatus.ACTIVE
    page = client.get(f"/requests/{live.pk}/").content.decode()
    assert "reached the end of its lifetime" in page and "Ask for more time" in page


def test_a_pending_extension_holds_the_expiry_destroy(live, mlops_only, inline_tasks):
    demo = mlops_only
    target = resources_of(live)["vm-a"]
    ProvisionedResource.objects.filter(pk=target.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    changes.request_extension(actor=demo.people["requester"], resource=target, days=10, reason="need it")
    assert destroy_expired(now=timezone.now() + timedelta(hours=2)) == []
    with pytest.raises(ApplicationError, match="does not expire"):
        changes.request_extension(actor=demo.people["requester"], resource=resources_of(live)["vm-b"], days=10,
                                  reason="r")
    assert not Run.objects.filter(purpose="expiry").exists()


def test_a_template_lifetime_sets_the_expiry_of_what_it_creates(mlops_only, approved_request, fake_engine,
                                                                inline_tasks):
    demo = mlops_only
    version = make_version("cpu_vm", schema=demo.versions["cpu-vm"].parameter_schema)
    type(version).objects.filter(pk=version.pk).update(default_lifetime_days=14)
    version.refresh_from_db()
    request = approved_request([(version, vm("short-lived"))])
    start_fulfilment(request=request, actor=demo.people["approver"])
    inline_tasks.drain()
    resource = ProvisionedResource.objects.get(item__request=request)
    assert timedelta(days=13, hours=23) < resource.expires_at - timezone.now() <= timedelta(days=14)


def test_a_change_request_sent_back_is_withdrawn_and_asked_again(live, mlops_only, inline_tasks, client):
    demo = mlops_only
    target = resources_of(live)["vm-a"]
    ProvisionedResource.objects.filter(pk=target.pk).update(expires_at=timezone.now() + timedelta(days=3))
    target.refresh_from_db()
    first = changes.request_extension(actor=demo.people["requester"], resource=target, days=60, reason="longer")
    record_decision(stage=first.stages.get(), actor=demo.people["approver"], outcome="request_changes",
                    comment="10 days is enough")
    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{first.pk}/").content.decode()
    assert "10 days is enough" in page and "Withdraw this request and ask again" in page
    assert client.get(f"/requests/{first.pk}/edit/").status_code == 302  # not edited: withdrawn
    client.force_login(demo.people["approver"])
    client.post(f"/requests/{first.pk}/withdraw/")
    first.refresh_from_db()
    assert first.status == RequestStatus.CHANGES_REQUESTED  # only the requester withdraws
    client.force_login(demo.people["requester"])
    assert client.post(f"/requests/{first.pk}/withdraw/").status_code == 302
    first.refresh_from_db()
    assert first.status == RequestStatus.WITHDRAWN
    second = changes.request_extension(actor=demo.people["requester"], resource=target, days=10, reason="as asked")
    assert second.status == RequestStatus.IN_REVIEW


def test_the_request_form_says_when_a_template_lifetime_ends(mlops_only, client):
    client.force_login(mlops_only.people["requester"])
    page = client.get("/requests/new/gpu-vm/").content.decode()
    assert "destroyed 30 days after it is created" in page
    assert "destroyed" not in client.get("/requests/new/cpu-vm/").content.decode().split("request-form")[1]


def test_the_reaper_goes_on_with_a_change_whose_worker_died_before_recording_it(live, mlops_only, inline_tasks,
                                                                               monkeypatch):
    from provisioning.executor import execute_run
    from provisioning.reaper import reap_runs

    demo = mlops_only
    change = changes.request_decommission(actor=demo.people["requester"], reason="done",
                                          resources=[resources_of(live)["vm-a"]])
    inline_tasks.drain()  # the destroy plan for the approvers
    approve(demo, change)
    [(destroy_pk, _)] = inline_tasks.sent
    inline_tasks.sent.clear()
    with monkeypatch.context() as dying:
        dying.setattr("provisioning.executor.announce_end", lambda run: None)
        execute_run(destroy_pk)  # destroyed; the worker dies before it tells the portal
    Run.objects.filter(pk=destroy_pk).update(finished_at=timezone.now() - timedelta(minutes=5))
    assert reap_runs().settled == [destroy_pk]
    assert reap_runs().settled == []
    change.refresh_from_db()
    assert change.status == RequestStatus.COMPLETED
    assert resources_of(live)["vm-a"].status == "destroyed"


def test_a_failed_change_can_be_given_up_so_the_resource_takes_another(live, mlops_only, fake_engine, inline_tasks,
                                                                     client):
    demo = mlops_only
    target = resources_of(live)["vm-a"]
    fake_engine.fail("vm-a", "apply", TerraformFailed("apply", 1, ["Error: InvalidParameterValue: no such type"]))
    change = changes.request_modification(actor=demo.people["requester"], resource=target,
                                          values=vm("vm-a", "t3.xlarge"), reason="bigger")
    approve(demo, change)
    inline_tasks.drain()
    change.refresh_from_db()
    assert change.status == RequestStatus.FAILED
    with pytest.raises(ApplicationError, match="already has a change under way"):
        changes.request_decommission(actor=demo.people["requester"], resources=[target], reason="then remove it")

    client.force_login(demo.people["requester"])
    assert "Give up this change" in client.get(f"/requests/{change.pk}/").content.decode()
    client.post(f"/requests/{change.pk}/withdraw/")
    change.refresh_from_db()
    assert change.status == RequestStatus.WITHDRAWN
    assert RequestItem.objects.get(pk=target.item_id).values["instance_type"] == "t3.large"  # never applied
    again = changes.request_decommission(actor=demo.people["requester"], resources=[target], reason="remove it")
    assert again.status == RequestStatus.IN_REVIEW

    # A failed *new* request is retried or decommissioned, not withdrawn: it may hold resources.
    OnboardingRequest.objects.filter(pk=live.pk).update(status=RequestStatus.FAILED)
    client.post(f"/requests/{live.pk}/withdraw/")
    live.refresh_from_db()
    assert live.status == RequestStatus.FAILED
