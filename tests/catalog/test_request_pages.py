"""Bundle and single-template request pages: sections per item, one request, live estimate panel."""

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.catalog.models import Bundle
from portal.onboarding.models import OnboardingRequest
from portal.teams.models import Quota
from tests.fixtures.people import REVIEW_DETAILS

STARTER = {
    "i0-name": "churn-model", "i0-project_name": "Churn prediction", "i0-owner_email": "ana@example.org",
    "i0-model_kind": "classifier", "i0-ci_provider": "gitlab", "i0-python_version": "3.11",
    "i0-retrain_schedule": "0 3 * * 1",
    "i1-name": "churn-ci", "i1-repo_url": "https://git.example.org/churn/model.git",
    "i1-branch": "main", "i1-compute_type": "BUILD_GENERAL1_SMALL", "i1-build_minutes_per_month": "300",
    "i1-purpose": "tests on push",
    "i2-name": "ds-churn", "i2-description": "the churn team", "i2-member_user_names": "ana\nbob",
    "i3-name": "churn-vm", "i3-instance_type": "t3.large", "i3-disk_size_gb": "40", "i3-purpose": "notebooks",
}


def page_post(demo, extra):
    return {"title": "Starter kit", "team": demo.teams["churn-modelling"].pk, **REVIEW_DETAILS, **extra}


def test_bundle_page_has_one_section_per_item(client, demo):
    client.force_login(demo.people["requester"])
    page = client.get("/requests/new/bundle/ml-starter/").content.decode()
    for prefix, title in [("i0", "ML project repository"), ("i1", "CI pipeline (CodeBuild)"),
                          ("i2", "Directory group"), ("i3", "CPU virtual machine")]:
        assert f'id="section-{prefix}"' in page and f"<legend>{title}" in page
    assert 'name="i3-instance_type"' in page and 'value="ML starter"' in page  # title prefilled
    assert 'hx-post="/catalog/estimate/"' in page and "Estimated cost" in page


def test_bundle_submission_creates_one_request_with_every_item(client, demo):
    client.force_login(demo.people["requester"])
    response = client.post("/requests/new/bundle/ml-starter/", page_post(demo, STARTER))
    assert response.status_code == 302, response.content.decode()[:3000]
    request = OnboardingRequest.objects.get()
    items = list(request.items.order_by("position"))
    assert [i.template_version.template.slug for i in items] == ["ml-repo", "ci-pipeline", "directory-group", "cpu-vm"]
    assert items[2].values["member_user_names"] == ["ana", "bob"] and items[3].values["disk_size_gb"] == 40
    assert request.status == "in_review"
    page = client.get(response.url).content.decode()
    assert 'id="cost"' in page and "$1.50" in page  # 300 CodeBuild minutes at $0.005


def test_a_bad_value_in_one_section_is_shown_there_and_nothing_is_saved(client, demo):
    client.force_login(demo.people["requester"])
    response = client.post("/requests/new/bundle/ml-starter/", page_post(demo, {**STARTER, "i3-disk_size_gb": "5",
                                                                                "i1-repo_url": "ftp://x"}))
    page = response.content.decode()
    assert response.status_code == 400
    assert "greater than or equal to 20" in page and "https:// URL of the repository" in page
    assert 'value="churn-model"' in page  # what was typed stays
    assert not OnboardingRequest.objects.exists()


def test_a_bundle_without_a_published_version_says_so(client, demo):
    from portal.catalog.services import deprecate_version

    deprecate_version(version=demo.versions["storage-bucket"], actor=demo.people["admin"])
    client.force_login(demo.people["requester"])
    response = client.get("/requests/new/bundle/gpu-training/", follow=True)
    assert "Storage bucket (S3) has no published version" in response.content.decode()
    Bundle.objects.filter(slug="gpu-training").update(is_active=False)
    assert client.get("/requests/new/bundle/gpu-training/").status_code == 404


def test_catalog_lists_bundles_and_templates(client, demo):
    client.force_login(demo.people["requester"])
    page = client.get("/catalog/").content.decode()
    assert "/requests/new/bundle/gpu-training/" in page and "/requests/new/eks-cluster/" in page


def estimate_post(demo, sections, values):
    data = QueryDict(mutable=True)
    data.setlist("section", sections)
    data["team"] = str(demo.teams["churn-modelling"].pk)
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data.urlencode()


def test_live_estimate_reflects_the_current_values_quota_and_advice(client, demo):
    Quota.objects.create(team=demo.teams["churn-modelling"], max_gpus=1, max_monthly_usd=1000)
    client.force_login(demo.people["requester"])
    gpu = demo.versions["gpu-vm"]
    body = estimate_post(demo, [f"v:{gpu.pk}"], {"v-instance_type": "g4dn.12xlarge", "v-disk_size_gb": "100",
                                                 "v-workload_framework": "scikit-learn"})
    page = client.post("/catalog/estimate/", body, content_type="application/x-www-form-urlencoded").content.decode()
    assert "$2,863.76" in page  # 3.912 × 730 + 100 × 0.08
    assert "over quota" in page and "1 of 1" in page  # 4 GPUs asked, 1 allowed
    assert "does not use a GPU" in page


@pytest.mark.parametrize("sections", [["v:abc"], ["zz:1"], [], ["v:999999"], ["v:1", "v:1"]])
def test_live_estimate_never_fails_on_odd_posts(client, demo, sections):
    client.force_login(demo.people["requester"])
    body = estimate_post(demo, sections, {"v-disk_size_gb": "-3", "team": "x"})
    assert client.post("/catalog/estimate/", body, content_type="application/x-www-form-urlencoded").status_code == 200


def test_live_estimate_ignores_drafts_and_other_teams(client, demo, make_user):
    from portal.catalog.services import create_draft_from
    from portal.teams.models import Team

    draft = create_draft_from(version=demo.versions["cpu-vm"], actor=demo.people["admin"])
    other = Team.objects.create(name="Other", slug="other")
    Quota.objects.create(team=other, max_vms=0)
    client.force_login(demo.people["requester"])
    body = estimate_post(demo, [f"v:{draft.pk}"], {}).replace(f"team={demo.teams['churn-modelling'].pk}",
                                                               f"team={other.pk}")
    page = client.post("/catalog/estimate/", body, content_type="application/x-www-form-urlencoded").content.decode()
    assert "No cloud cost" in page and "quota" not in page


GPU_FIELDS = ["v-name", "v-instance_type", "v-disk_size_gb", "v-purpose", "v-workload_framework",
              "v-workload_stage", "v-workload_data_gb", "v-workload_hours_per_week"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(posted=st.dictionaries(st.sampled_from(GPU_FIELDS), st.text(max_size=30)))
def test_any_post_to_a_request_page_is_submitted_or_explained(client, demo, posted):
    """Never a 500: either the request is created, or the page comes back with messages."""
    client.force_login(demo.people["requester"])
    response = client.post("/requests/new/gpu-vm/", page_post(demo, posted))
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert 'class="errorlist' in response.content.decode() or "error-box" in response.content.decode()
