"""Versions: draft → published (immutable) → deprecated; a request keeps the version it was made from."""

import copy

import pytest

from portal.audit.selectors import events_for
from portal.catalog.models import TemplateVersion
from portal.catalog.selectors import offered_version_for
from portal.catalog.services import create_draft_from, deprecate_version, publish_version
from portal.core.errors import ApplicationError
from portal.onboarding.models import RequestStatus
from portal.onboarding.services import record_decision, submit_new_request
from tests.fixtures.people import CPU_VM_VALUES


def submit(demo, version, values=CPU_VM_VALUES):
    return submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"], title="VM",
                              items=[(version, values)])


def new_v2(demo, **changes):
    v1 = demo.versions["cpu-vm"]
    v2 = create_draft_from(version=v1, actor=demo.people["admin"])
    schema = copy.deepcopy(v2.parameter_schema)
    schema["properties"]["disk_size_gb"]["maximum"] = 500
    v2.parameter_schema = schema
    v2.save()
    return v1, publish_version(version=v2, actor=demo.people["admin"])


def test_publishing_v2_leaves_v1_requests_intact(demo):
    request = submit(demo, demo.versions["cpu-vm"])
    v1, v2 = new_v2(demo)
    assert (v2.number, v2.status) == (2, "published")
    assert offered_version_for("cpu-vm") == v2
    item = request.items.get()
    assert item.template_version == v1 and item.template_version.parameter_schema["properties"]["disk_size_gb"][
        "maximum"] == 2000
    record_decision(stage=request.stages.get(), actor=demo.people["approver"], outcome="approve")
    request.refresh_from_db()
    assert request.status == RequestStatus.PROVISIONING  # v1 is still good enough for a request made with it


def test_deprecated_version_takes_no_new_requests_but_keeps_old_ones(demo):
    v1 = demo.versions["cpu-vm"]
    old = submit(demo, v1)
    deprecate_version(version=v1, actor=demo.people["admin"])
    with pytest.raises(ApplicationError, match="not offered any more"):
        submit(demo, v1)
    assert offered_version_for("cpu-vm") is None
    assert old.items.get().template_version.status == "deprecated"
    record_decision(stage=old.stages.get(), actor=demo.people["approver"], outcome="approve")


def test_a_published_version_cannot_be_edited_in_place(demo):
    v1 = demo.versions["cpu-vm"]
    v1.module = "gpu_vm"
    with pytest.raises(ValueError, match="make a new draft"):
        v1.save()
    v1.refresh_from_db()
    assert v1.module == "cpu_vm"


def test_each_step_is_audited_and_only_allowed_from_the_right_state(demo):
    admin = demo.people["admin"]
    v1 = demo.versions["cpu-vm"]
    draft = create_draft_from(version=v1, actor=admin)
    assert (draft.number, draft.status, draft.parameter_schema) == (2, "draft", v1.parameter_schema)
    with pytest.raises(ApplicationError, match="Only a published version"):
        deprecate_version(version=draft, actor=admin)
    publish_version(version=draft, actor=admin)
    with pytest.raises(ApplicationError, match="Only a draft version"):
        publish_version(version=draft, actor=admin)
    deprecate_version(version=draft, actor=admin)
    verbs = [(e.verb, e.actor, e.data["number"]) for e in events_for(draft)]
    assert verbs == [("template_version.drafted", admin, 2), ("template_version.published", admin, 2),
                     ("template_version.deprecated", admin, 2)]


def test_publish_refuses_a_broken_draft(demo):
    draft = create_draft_from(version=demo.versions["cpu-vm"], actor=demo.people["admin"])
    draft.module = "no_such_module"
    draft.save()
    with pytest.raises(ApplicationError, match="There is no Terraform module 'no_such_module'"):
        publish_version(version=draft, actor=demo.people["admin"])
    assert TemplateVersion.objects.get(pk=draft.pk).status == "draft"


def test_admin_page_shows_preview_diff_and_the_buttons_work(client, demo):
    client.force_login(demo.people["admin"])
    v1 = demo.versions["cpu-vm"]
    response = client.post(f"/admin/catalog/templateversion/{v1.pk}/do/new-draft/")
    draft = TemplateVersion.objects.get(template=v1.template, number=2)
    assert response.status_code == 302 and response.url.endswith(f"/{draft.pk}/change/")
    schema = copy.deepcopy(draft.parameter_schema)
    schema["properties"]["disk_size_gb"]["maximum"] = 500
    TemplateVersion.objects.filter(pk=draft.pk).update(parameter_schema=schema, fixed_values={"ami": "ami-0abc"})
    page = client.get(f"/admin/catalog/templateversion/{draft.pk}/change/").content.decode()
    assert 'id="form-preview"' in page and "Disk size (GiB)" in page and 'id="publish-version"' in page
    assert "Changes from v1 to v2" in page
    assert '<div class="del">-        &quot;maximum&quot;: 2000,</div>' in page
    assert '<div class="add">+        &quot;maximum&quot;: 500,</div>' in page
    assert '<div class="add">+    &quot;ami&quot;: &quot;ami-0abc&quot;</div>' in page
    client.post(f"/admin/catalog/templateversion/{draft.pk}/do/publish/")
    assert TemplateVersion.objects.get(pk=draft.pk).status == "published"
    client.post(f"/admin/catalog/templateversion/{v1.pk}/do/deprecate/")
    assert TemplateVersion.objects.get(pk=v1.pk).status == "deprecated"
    assert client.get(f"/admin/catalog/templateversion/{v1.pk}/do/deprecate/").status_code == 405


def test_admin_actions_need_staff(client, demo):
    client.force_login(demo.people["requester"])
    v1 = demo.versions["cpu-vm"]
    response = client.post(f"/admin/catalog/templateversion/{v1.pk}/do/deprecate/")
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert TemplateVersion.objects.get(pk=v1.pk).status == "published"


@pytest.fixture(autouse=True)
def _one_stage(mlops_only):
    """These tests are about quotas and versions, not routing: one MLOps stage per request."""

