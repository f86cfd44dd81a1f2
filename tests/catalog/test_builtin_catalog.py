"""The built-in catalog: a published template for every kind, matching the modules it drives."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from portal.catalog.models import PORTAL_ONLY, ResourceKind
from portal.catalog.seed import BUILTIN, BUNDLES, ensure_builtin_templates
from portal.catalog.selectors import offered_bundles, offered_versions

VARIABLE = re.compile(r'^variable\s+"(\w+)"\s*\{(.*?)^\}', re.S | re.M)


def module_variables(module: str) -> dict[str, bool] | None:
    """Variable name → has a default, read from the module's variables.tf (None: no such module here)."""
    path = Path(settings.TERRAFORM_MODULES_DIR) / module / "variables.tf"
    if not path.exists():
        return None
    return {name: bool(re.search(r"^\s*default\s*=", body, re.M)) for name, body in VARIABLE.findall(path.read_text())}


def test_every_kind_has_a_published_template(demo):
    kinds = {v.template.kind for v in offered_versions()}
    assert kinds == set(ResourceKind.values)
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
