"""A published template version pins its Terraform module: editing the files on disk afterwards changes
nothing an older version plans, applies or drift-checks; a run stores the content and values it used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from portal.catalog.models import ResourceTemplate, TemplateVersion
from portal.catalog.services import create_draft_from, publish_version
from portal.onboarding.models import OnboardingRequest, RequestItem
from provisioning.executor import execute_run
from provisioning.models import Run
from provisioning.workspace import read_module
from tests.fixtures.people import CPU_VM_CREATES, CPU_VM_VALUES
from tests.fixtures.runs import make_run

pytestmark = pytest.mark.django_db

BROKEN = 'resource "nonsense" "x" {\n'  # what a later edit left half-written: Terraform cannot parse it


@pytest.fixture
def modules(settings, tmp_path):
    """A copy of the repo's modules the test may edit."""
    root = tmp_path / "modules"
    shutil.copytree(Path(django_settings.BASE_DIR) / "terraform" / "modules" / "cpu_vm", root / "cpu_vm")
    settings.TERRAFORM_MODULES_DIR = root
    return root


@pytest.fixture
def published(demo, modules):
    builtin = demo.versions["cpu-vm"]
    template = ResourceTemplate.objects.create(kind="cpu_vm", slug="frozen-vm", name="Frozen VM")
    draft = TemplateVersion.objects.create(template=template, number=1, parameter_schema=builtin.parameter_schema,
                                           engine="terraform", module="cpu_vm", fixed_values=builtin.fixed_values)
    return publish_version(version=draft, actor=demo.people["admin"])


def item_of(demo, version, name):
    request = OnboardingRequest.objects.create(team=demo.teams["churn-modelling"],
                                               requester=demo.people["requester"], title=name)
    return RequestItem.objects.create(request=request, template_version=version, values={**CPU_VM_VALUES, "name": name})


def test_publishing_freezes_the_module_and_later_edits_do_not_reach_it(demo, published, modules):
    frozen = published.module_content
    assert frozen is not None and frozen.files == read_module(modules / "cpu_vm")
    (modules / "cpu_vm" / "zz_edit.tf").write_text(BROKEN)
    run = make_run(item=item_of(demo, published, "frozen-a"), action=Run.Action.PLAN)
    assert run.module_content_id == frozen.pk and "zz_edit.tf" not in run.module_content.files
    draft = create_draft_from(version=published, actor=demo.people["admin"])
    assert draft.module_content is None  # a draft is not frozen; publishing it freezes what is on disk then
    (modules / "cpu_vm" / "zz_edit.tf").write_text("# a reviewed change\n")
    newer = publish_version(version=draft, actor=demo.people["admin"])
    assert newer.module_content_id != frozen.pk and "zz_edit.tf" in newer.module_content.files
    with pytest.raises(ValueError, match="published"):
        published.module_content = newer.module_content
        published.save()


def test_the_old_version_plans_and_checks_drift_with_its_frozen_files(demo, published, modules, in_process_worker):
    (modules / "cpu_vm" / "zz_edit.tf").write_text(BROKEN)  # edited on disk after publishing
    item = item_of(demo, published, "frozen-b")
    plan = execute_run(make_run(item=item, action=Run.Action.PLAN).pk)
    assert plan.status == "succeeded", plan.error  # the broken file never reached it
    assert plan.plan_summary["add"] == len(CPU_VM_CREATES)
    workdir = Path(in_process_worker.TERRAFORM_WORKSPACES_DIR) / f"item-{item.pk}"
    assert not (workdir / "zz_edit.tf").exists()
    assert {p.name for p in workdir.glob("*.tf")} == set(published.module_content.files)
    check = execute_run(make_run(item=item, action=Run.Action.DRIFT_CHECK).pk)
    assert check.status == "succeeded", check.error
    assert check.module_content_id == published.module_content_id


def test_a_run_shows_exactly_the_values_it_applied(demo, published, client):
    item = item_of(demo, published, "values-shown")
    run = make_run(item=item, action=Run.Action.PLAN)
    assert run.variables == {**{k: v for k, v in item.values.items()}, **published.fixed_values,
                             "tags": {"portal:team": "churn-modelling", "portal:request": str(item.request_id),
                                      "portal:item": str(item.pk)}}
    with pytest.raises(ValueError, match="immutable"):
        run.variables = {**run.variables, "instance_type": "t3.2xlarge"}
        run.save()
    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{item.request_id}/progress/").content.decode()
    assert f'data-run-values="{run.pk}"' in page
    assert 'data-run-value="instance_type"' in page and "t3.large" in page and "ami-04681a1dbd79675a5" in page


def test_the_repo_scaffold_gets_the_owner_email_the_requester_typed(demo):
    """The "Model owner's e-mail" of the repo form reaches the scaffold (not the account's address)."""
    from portal.onboarding.snapshots import scaffold_variables

    request = OnboardingRequest.objects.create(team=demo.teams["churn-modelling"],
                                               requester=demo.people["requester"], title="repo")
    item = RequestItem.objects.create(request=request, template_version=demo.versions["ml-repo"], values={
        "name": "churn", "project_name": "Churn", "owner_email": "model.owner@example.org", "ci_provider": "github",
        "model_kind": "classifier", "python_version": "3.11", "retrain_schedule": "0 3 * * 1"})
    answers = scaffold_variables(item)["answers"]
    assert answers["owner_email"] == "model.owner@example.org"
    assert demo.people["requester"].email != "model.owner@example.org"
