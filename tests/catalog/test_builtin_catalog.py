"""The built-in catalog: a published template for every kind, matching the modules it drives."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from portal.catalog.models import COMPOSED_KINDS, PORTAL_ONLY, ResourceKind
from portal.catalog.seed import BUILTIN, BUNDLES, ensure_builtin_templates
from portal.catalog.selectors import offered_bundles, offered_versions
from portal.catalog.validation import validate_values

VARIABLE = re.compile(r'^variable\s+"(\w+)"\s*\{(.*?)^\}', re.S | re.M)


def module_variables(module: str) -> dict[str, bool] | None:
    """Variable name → has a default, read from the module's variables.tf (None: no such module here)."""
    path = Path(settings.TERRAFORM_MODULES_DIR) / module / "variables.tf"
    if not path.exists():
        return None
    return {name: bool(re.search(r"^\s*default\s*=", body, re.M)) for name, body in VARIABLE.findall(path.read_text())}


def test_every_kind_has_a_published_template(demo):
    kinds = {v.template.kind for v in offered_versions()}
    assert kinds == set(ResourceKind.values) - COMPOSED_KINDS  # a dataset grant is asked on a dataset's page
    assert {v.template.kind for v in demo.versions.values()} == set(ResourceKind.values)
    assert all(v.status == "published" and v.published_at for v in demo.versions.values())


def test_seeding_twice_changes_nothing(demo):
    assert [v.pk for v in ensure_builtin_templates()] == [demo.versions[s["slug"]].pk for s in BUILTIN]


def test_the_bundles_are_offered_with_their_items(demo):
    bundles = {b.slug: [i.template.slug for i in b.items.all()] for b in offered_bundles()}
    assert bundles == {b["slug"]: b["templates"] for b in BUNDLES}
    assert bundles["ml-starter"] == ["ml-repo", "ci-pipeline", "directory-group", "cpu-vm"]


@pytest.mark.parametrize("spec", [s for s in BUILTIN if s["engine"] == "terraform"], ids=lambda s: s["slug"])
def test_terraform_templates_match_their_module_variables(spec):
    variables = module_variables(spec["module"])
    if variables is None:
        pytest.skip(f"terraform/modules/{spec['module']} is not in this checkout yet")
    schema = spec["schema"]
    sent = {n for n, p in schema["properties"].items() if not p.get(PORTAL_ONLY)} | set(spec["fixed_values"])
    assert sent - set(variables) == set(), "values the module does not declare"
    always_sent = (set(schema["required"]) - {n for n, p in schema["properties"].items() if p.get(PORTAL_ONLY)}) | set(
        spec["fixed_values"]) | {"tags"}
    assert {n for n, has_default in variables.items() if not has_default} - always_sent == set(), \
        "module variables without a default that the template may not send"


REPO_URL_VALIDATION = re.compile(r'variable "repo_url" \{.*?can\(regex\("((?:[^"\\]|\\.)*)", var\.repo_url\)\)', re.S)
PIPELINE_VALUES = {"name": "churn-ci", "branch": "main", "compute_type": "BUILD_GENERAL1_SMALL",
                   "build_minutes_per_month": 300, "purpose": "Build and test the churn model on every push."}
ACCEPTED_REPO_URLS = [
    "https://github.com/acme-ml/churn.git",
    "https://git.example.org:8443/data-science/churn/model.git",
    "http://127.0.0.1:5056/churn-modelling-churn.git",  # the embedded run's git server
    "http://localhost:5056/churn.git",
    "http://[::1]:5056/churn.git",
]
REFUSED_REPO_URLS = [
    "http://git.example.org/acme-ml/churn.git",
    "http://10.0.0.5:5056/churn.git",
    "http://127.0.0.1.example.org/churn.git",
    "http://localhost@git.example.org/churn.git",
    "http://127.0.0.1:5056",
    "file:///srv/git/churn.git",
    "git://127.0.0.1:9418/churn.git",
    "ftp://x",
    "https://github.com/acme-ml/churn.git; rm -rf /",
]


def test_the_ci_pipeline_form_and_module_check_repo_urls_with_one_pattern():
    """The form refuses what Terraform would refuse (and accepts what it accepts): the schema's pattern
    is the module's validation regex, character for character (the Terraform plans of
    tests/terraform/test_ci_pipeline.py show the module's side)."""
    text = (Path(settings.TERRAFORM_MODULES_DIR) / "ci_pipeline" / "variables.tf").read_text()
    hcl_pattern = json.loads(f'"{REPO_URL_VALIDATION.search(text)[1]}"')  # HCL's \\ is JSON's \\
    [pipeline] = [s for s in BUILTIN if s["slug"] == "ci-pipeline"]
    assert pipeline["schema"]["properties"]["repo_url"]["pattern"] == hcl_pattern


@pytest.mark.parametrize("url", ACCEPTED_REPO_URLS)
def test_the_ci_pipeline_form_accepts_https_and_loopback_http(url):
    [pipeline] = [s for s in BUILTIN if s["slug"] == "ci-pipeline"]
    assert validate_values(pipeline["schema"], {**PIPELINE_VALUES, "repo_url": url}) == {}


@pytest.mark.parametrize("url", REFUSED_REPO_URLS)
def test_the_ci_pipeline_form_refuses_other_repo_urls(url):
    [pipeline] = [s for s in BUILTIN if s["slug"] == "ci-pipeline"]
    errors = validate_values(pipeline["schema"], {**PIPELINE_VALUES, "repo_url": url})
    assert list(errors) == ["repo_url"]
    assert "Enter the https:// URL of the repository" in errors["repo_url"][0]
    assert "http:// only to 127.0.0.1, localhost or [::1]" in errors["repo_url"][0]


def test_a_shipped_module_with_new_content_is_published_as_the_next_version(demo, settings, tmp_path):
    """An install seeded before a module changed (e.g. VMs got a way in): seeding publishes the next version
    with the module frozen anew; requests that pinned v1 keep v1. Other templates are left alone."""
    import shutil

    from portal.audit.models import AuditEvent

    modules = tmp_path / "modules"
    shutil.copytree(settings.TERRAFORM_MODULES_DIR, modules)
    (modules / "cpu_vm" / "notes.tf").write_text("# a reviewed change shipped with a new release\n")
    settings.TERRAFORM_MODULES_DIR = modules
    old = demo.versions["cpu-vm"]

    versions = {v.template.slug: v for v in ensure_builtin_templates()}

    new = versions["cpu-vm"]
    assert (new.number, new.status) == (old.number + 1, "published")
    assert "notes.tf" in new.module_content.files and "notes.tf" not in old.module_content.files
    assert (new.parameter_schema, new.fixed_values) == (old.parameter_schema, old.fixed_values)
    old.refresh_from_db()
    assert old.status == "published"
    assert {slug: v.pk for slug, v in versions.items() if slug != "cpu-vm"} == {
        slug: v.pk for slug, v in demo.versions.items() if slug != "cpu-vm"}
    assert AuditEvent.objects.filter(verb="template_version.published", data__template="cpu-vm").count() == 1
    assert [v.pk for v in ensure_builtin_templates()] == [versions[s["slug"]].pk for s in BUILTIN]  # once only
