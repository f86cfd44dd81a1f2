"""What provisioning would refuse is refused at the form, on its field: control and bidi characters,
line breaks in one-line values, git-invalid branches, malformed e-mail addresses."""

import pytest
from django.http import QueryDict

from portal.catalog.forms import ParameterForm
from portal.catalog.seed import BUILTIN
from portal.catalog.validation import validate_values
from portal.onboarding.models import OnboardingRequest
from tests.catalog.test_request_pages import STARTER, page_post

SCHEMAS = {spec["slug"]: spec["schema"] for spec in BUILTIN}
REPO = {"v-name": "churn-model", "v-project_name": "Churn prediction", "v-owner_email": "ana@example.org",
        "v-model_kind": "classifier", "v-ci_provider": "github", "v-python_version": "3.11",
        "v-retrain_schedule": "0 3 * * 1", "v-description": "Predicts churn."}
CI = {"v-name": "churn-ci", "v-repo_url": "https://git.example.org/churn/model.git", "v-branch": "main",
      "v-compute_type": "BUILD_GENERAL1_SMALL", "v-build_minutes_per_month": "300", "v-purpose": "tests"}


def errors(slug, good, **overrides):
    data = QueryDict(mutable=True)
    for key, value in {**good, **overrides}.items():
        data[key] = value
    form = ParameterForm(data, schema=SCHEMAS[slug], prefix="v")
    form.is_valid()
    return {name: " ".join(messages) for name, messages in form.errors.items()}


def test_the_good_values_pass():
    assert errors("ml-repo", REPO) == {} and errors("ci-pipeline", CI) == {}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("project_name", "Churn\nprediction", "Use one line only (no line breaks)."),
    ("project_name", "Churn\u2028prediction", "Use one line only (no line breaks)."),
    ("project_name", "Churn \u202eliated", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("project_name", "Churn\u200bprediction", "U+200B ZERO WIDTH SPACE"),
    ("project_name", "Churn\tprediction", "Remove the tab character."),
    ("project_name", "Churn\x1bprediction", "U+001B"),
    ("description", "Predicts \u2066churn\u2069.", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("owner_email", "ana@example", "Enter a valid e-mail address"),
    ("owner_email", "ana@@example.org", "Enter a valid e-mail address"),
    ("owner_email", "ana@exa\u202emple.org", "U+202E"),
])
def test_a_repo_value_provisioning_would_refuse_is_refused_on_its_field(field, value, message):
    assert message in errors("ml-repo", REPO, **{f"v-{field}": value}).get(field, "")


def test_a_textarea_may_hold_line_breaks():
    assert errors("ml-repo", REPO, **{"v-description": "Predicts churn.\r\nWeekly.\tRetrained."}) == {}


@pytest.mark.parametrize(("branch", "reason"), [
    ("../evil", "two dots in a row"), ("main.lock", "end with .lock"), ("-x", "start with a dash"),
    ("feature//x", "two slashes in a row"), (".hidden", "start with a dot"), ("main/", "end with a slash"),
    ("HEAD", "HEAD is not a branch name"),
])
def test_a_branch_git_would_refuse_is_refused_with_git_s_reason(branch, reason):
    message = errors("ci-pipeline", CI, **{"v-branch": branch})["branch"]
    assert "Not a valid git branch name" in message and reason in message


def test_the_server_side_validator_refuses_what_a_form_would_have_stripped():
    """Values that do not come through a form (an API, a change request) meet the same rules: a
    trailing newline passes a ``^…$`` pattern in Python, so the pattern alone is not enough."""
    values = {"name": "churn-vm\n", "instance_type": "t3.large", "disk_size_gb": 40, "purpose": "work\u202e"}
    assert validate_values(SCHEMAS["cpu-vm"], values) == {
        "name": ["Use one line only (no line breaks)."],
        "purpose": ["Remove the invisible control character U+202E RIGHT-TO-LEFT OVERRIDE."]}
    lists = {"name": "ds-churn", "description": "team", "member_user_names": ["ana", "b\u202eob"]}
    assert any("U+202E" in m for m in validate_values(SCHEMAS["directory-group"], lists)["member_user_names"])


def test_the_request_page_refuses_a_bidi_title_and_a_newline_project_name(client, demo):
    client.force_login(demo.people["requester"])
    response = client.post("/requests/new/bundle/ml-starter/", page_post(demo, {
        **STARTER, "title": "Starter \u202ekit", "i0-project_name": "Churn\nprediction", "i1-branch": "../evil"}))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Remove the invisible control character U+202E RIGHT-TO-LEFT OVERRIDE." in page
    assert "Use one line only (no line breaks)." in page
    assert "Not a valid git branch name: it must not contain two dots in a row (..)." in page
    assert not OnboardingRequest.objects.exists()
