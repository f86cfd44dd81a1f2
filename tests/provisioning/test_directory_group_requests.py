"""Directory groups through the whole request flow, against a real slapd (plain LDAP flavour):
a bundle is submitted, approved and provisioned, the group follows the team, decommission removes
it; and a directory outage fails the run as transient instead of crashing it."""

from __future__ import annotations

import time
import uuid

import pytest
from django.utils import timezone

from portal.catalog.models import Bundle, BundleItem, ResourceTemplate, TemplateVersion
from portal.catalog.selectors import bundle_versions
from portal.inventory.directory_groups import sync_team_groups
from portal.inventory.models import ProvisionedResource
from portal.onboarding.services import record_decision, request_decommission, submit_new_request
from portal.teams.models import Membership
from provisioning.directory import DirectoryUnavailable
from provisioning.engines.directory import DirectoryEngine
from provisioning.executor import execute_run
from provisioning.models import Run, RunStatus
from provisioning.tasks import execute_run_task
from tests.fixtures.directory_tree import LDAP_TREE, portal_directory
from tests.fixtures.people import REVIEW_DETAILS
from tests.fixtures.runs import make_run
from tests.fixtures.slapd import make_slapd, slapd  # noqa: F401  (pytest fixtures)

REPO_VALUES = {"name": "churn-model", "project_name": "Churn Model", "owner_email": "requester@example.org",
               "model_kind": "classifier", "ci_provider": "github", "python_version": "3.11",
               "retrain_schedule": "0 3 * * 1"}


@pytest.fixture
def directory_group_version(demo):
    """The site's directory group template, version 2: the directory engine instead of the sandbox module."""
    template = ResourceTemplate.objects.get(slug="directory-group")
    v1 = template.published_version()
    return TemplateVersion.objects.create(
        template=template, number=2, engine="directory", module="ldap", parameter_schema=v1.parameter_schema,
        status=TemplateVersion.Status.PUBLISHED, published_at=timezone.now())


@pytest.fixture
def group_name(slapd):  # noqa: F811
    """A fresh purpose for the group; whatever the test leaves in slapd is removed afterwards."""
    purpose = f"access-{uuid.uuid4().hex[:6]}"
    yield purpose
    dn = f"cn=ds-churn-modelling-{purpose},{LDAP_TREE.groups_base_dn}"
    if slapd.search(LDAP_TREE, dn, scope="base"):
        slapd.modify(LDAP_TREE, f"dn: {dn}\nchangetype: delete\n")


def members_of(server, name: str) -> list[str] | None:
    """The group's member DNs as ldapsearch sees them (None: no such group)."""
    found = server.search(LDAP_TREE, LDAP_TREE.groups_base_dn, f"(cn={name})", ("member",))
    return sorted(found[0].get("member", [])) if found else None


def work_off_queued_runs(request) -> list[Run]:
    """What the worker does, in this process: each queued run through the task body, one at a time
    (each finished apply queues the request's next item)."""
    done = []
    while run := Run.objects.filter(item__request=request, status=RunStatus.QUEUED).order_by("id").first():
        execute_run_task(run.pk)
        done.append(Run.objects.get(pk=run.pk))
    return done


def test_a_bundle_with_a_directory_group_provisions_follows_the_team_and_is_removed(
    in_process_worker, slapd, mlops_only, directory_group_version, group_name, make_user  # noqa: F811
):
    in_process_worker.PORTAL_DIRECTORY = portal_directory(slapd.uri, LDAP_TREE)
    demo = mlops_only
    team = demo.teams["churn-modelling"]
    make_user("alice", team=team)
    bob = make_user("bob", team=team)
    bundle = Bundle.objects.create(slug="team-access", name="Team access")
    for position, slug in enumerate(["directory-group", "ml-repo"]):
        BundleItem.objects.create(bundle=bundle, template=ResourceTemplate.objects.get(slug=slug), position=position)
    versions = [version for _title, version in bundle_versions(bundle)]
    assert versions[0] == directory_group_version  # the bundle offers the newest published version

    values = [{"name": group_name, "description": "Churn team access"}, REPO_VALUES]
    request = submit_new_request(actor=demo.people["requester"], team=team, title="Team access",
                                 items=list(zip(versions, values, strict=True)),
                                 details={**REVIEW_DETAILS, "expected_duration_days": 90})
    [stage] = request.stages.all()
    record_decision(stage=stage, actor=demo.people["approver"], outcome="approve")
    runs = work_off_queued_runs(request)

    request.refresh_from_db()
    assert [(r.action, r.status) for r in runs] == [("apply", "succeeded")] * 2, [r.error for r in runs]
    assert request.status == "active"
    name = f"ds-churn-modelling-{group_name}"
    group_run = runs[0]
    assert group_run.outputs["group_dn"] == f"cn={name},{LDAP_TREE.groups_base_dn}"
    assert group_run.outputs["unknown_members"] == ["requester"]  # in the team, not in the directory
    assert members_of(slapd, name) == sorted([LDAP_TREE.user_dn("alice"), LDAP_TREE.user_dn("bob")])
    resource = group_run.item.resource
    assert resource.kind == "directory_group" and resource.outputs["group_name"] == name

    # The team changes: the group follows (what the membership signal's task does).
    make_user("carol", team=team)
    Membership.objects.filter(user=bob).delete()
    [change] = sync_team_groups(team)
    assert change["added"] == [LDAP_TREE.user_dn("carol")] and change["removed"] == [LDAP_TREE.user_dn("bob")]
    assert members_of(slapd, name) == sorted([LDAP_TREE.user_dn("alice"), LDAP_TREE.user_dn("carol")])

    # Decommission, asked by the team and approved: the repo goes first, then the group it depended on.
    decommission = request_decommission(actor=demo.people["requester"], reason="project over",
                                        resources=list(ProvisionedResource.objects.filter(item__request=request)))
    record_decision(stage=decommission.stages.get(), actor=demo.people["approver"], outcome="approve")
    destroys = work_off_queued_runs(request)
    assert [(r.item.template_version.kind, r.status) for r in destroys] == [
        ("repo", "succeeded"), ("directory_group", "succeeded")], [r.error for r in destroys]
    assert members_of(slapd, name) is None
    request.refresh_from_db()
    decommission.refresh_from_db()
    assert request.status == "decommissioned" and decommission.status == "completed"


@pytest.mark.parametrize("action", ["apply", "destroy"])
def test_a_directory_outage_fails_the_run_as_transient_not_a_crash(
    action, in_process_worker, make_slapd, make_item, monkeypatch  # noqa: F811
):
    server = make_slapd()
    in_process_worker.PORTAL_DIRECTORY = portal_directory(server.uri, LDAP_TREE)
    item = make_item("directory_group", "directory", "ldap", {"name": "outage"})
    server.stop()
    raised: list[BaseException] = []
    original = getattr(DirectoryEngine, action)

    def spy(self, ctx):
        try:
            return original(self, ctx)
        except BaseException as error:
            raised.append(error)
            raise

    monkeypatch.setattr(DirectoryEngine, action, spy)
    started = time.monotonic()
    run = execute_run(make_run(item=item, action=action).pk)
    elapsed = time.monotonic() - started

    assert run is not None and run.status == "failed" and run.finished_at is not None
    assert [type(error) for error in raised] == [DirectoryUnavailable]  # transient: the run may be retried
    assert f"The directory at {server.uri} is unavailable" in run.error
    assert "try again later" in run.error
    log = "\n".join(run.log_lines.values_list("text", flat=True))
    assert "is unavailable" in log
    assert elapsed < 2.0, f"a stopped directory took {elapsed:.2f}s to fail the run"
