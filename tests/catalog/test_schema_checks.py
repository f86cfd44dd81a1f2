"""A broken schema is refused when an admin saves it, with a message that says what is wrong."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from portal.catalog.models import TemplateVersion
from portal.catalog.schema_checks import version_problems
from portal.catalog.seed import BUILTIN

GOOD = {"type": "object", "required": ["name"], "x-order": ["name"],
        "properties": {"name": {"type": "string", "default": "abc", "pattern": "^[a-z]+$"}}}


def problems(schema=GOOD, engine="terraform", module="cpu_vm", fixed=None):
    return version_problems(schema=schema, engine=engine, module=module, fixed_values=fixed or {},
                            modules_dir=Path(settings.TERRAFORM_MODULES_DIR))


def with_prop(**spec):
    return {**GOOD, "properties": {"name": {"type": "string", **spec}}}


@pytest.mark.parametrize(("schema", "expected"), [
    ({"type": "object", "properties": {"n": {"type": "strng"}}}, "not valid JSON Schema at properties → n → type"),
    ({"type": "array", "items": {}}, '{"type": "object"'),
    ({**GOOD, "x-order": ["name", "nmae"]}, "x-order names properties that do not exist: nmae"),
    ({**GOOD, "required": ["name", "size"]}, "required names properties that do not exist: size"),
    (with_prop(default=5), "The default of 'name' is not valid for it: 5 is not of type 'string'"),
    (with_prop(enum=["a"], default="b"), "The default of 'name' is not valid"),
    (with_prop(enum=["a"], **{"x-enum-labels": {"z": "Zed"}}), "label values it does not offer: z"),
    (with_prop(pattern="^(unclosed"), "not valid"),
    ({**GOOD, "properties": {"Bad-Name": {"type": "string"}}, "required": [], "x-order": []}, "'Bad-Name': use"),
    ({**GOOD, "allOf": [{"if": {"properties": {"gpu": {"const": True}}}, "then": {"required": ["size"]}}]},
     "a condition (if/then or dependentRequired) names properties that do not exist: gpu, size"),
    ({**GOOD, "x-ascending": [["name"]]}, "x-ascending must name number properties; not: name"),
])
def test_schema_problems_are_named(schema, expected):
    found = problems(schema)
    assert any(expected in p for p in found), found


def test_module_must_exist_for_terraform_and_never_escape_the_modules_dir():
    assert problems() == []
    where = f"{settings.TERRAFORM_MODULES_DIR}/no_such_module/*.tf"
    assert problems(module="no_such_module") == [f"There is no Terraform module 'no_such_module' (looked for {where})."]
    assert "lowercase letters" in problems(module="../../etc")[0]
    assert problems(engine="scaffold", module="ml-project") == []


def test_fixed_values_may_not_override_requester_fields():
    assert problems(fixed={"name": "x"}) == ["Fixed values would silently override what requesters fill in: name."]


@pytest.mark.parametrize("spec", BUILTIN, ids=lambda s: s["slug"])
def test_every_builtin_version_passes_the_checks(spec):
    found = version_problems(schema=spec["schema"], engine=spec["engine"], module=spec["module"],
                             fixed_values=spec["fixed_values"], modules_dir=None)
    assert found == []


def admin_post(client, demo, **overrides):
    client.force_login(demo.people["admin"])
    data = {"template": demo.versions["cpu-vm"].template_id, "number": 9, "engine": "terraform", "module": "cpu_vm",
            "parameter_schema": json.dumps(GOOD), "fixed_values": "{}"}
    return client.post("/admin/catalog/templateversion/add/", {**data, **overrides})


def test_admin_refuses_a_broken_schema_and_says_why(client, demo):
    response = admin_post(client, demo, parameter_schema=json.dumps({**GOOD, "x-order": ["nmae"]}))
    assert response.status_code == 200
    assert "x-order names properties that do not exist: nmae" in response.content.decode()
    response = admin_post(client, demo, parameter_schema="{not json")
    assert "Enter a valid JSON" in response.content.decode()
    response = admin_post(client, demo, module="gpu_typo")
    assert "There is no Terraform module" in response.content.decode()
    assert not TemplateVersion.objects.filter(number=9).exists()


def test_admin_saves_a_good_draft_and_audits_it(client, demo):
    from portal.audit.selectors import events_for

    response = admin_post(client, demo, fixed_values="")
    assert response.status_code == 302
    draft = TemplateVersion.objects.get(number=9)
    assert (draft.status, draft.fixed_values) == ("draft", {})
    page = client.get(f"/admin/catalog/templateversion/{draft.pk}/change/").content.decode()
    assert "&quot;type&quot;: &quot;object&quot;,\n" in page  # the schema editor shows indented JSON
    assert [e.verb for e in events_for(draft)] == ["template_version.saved"]


def test_a_format_the_portal_does_not_check_is_named():
    found = problems(with_prop(format="gitbranch"))
    assert found and "'gitbranch', which the portal does not check" in found[0] and "git-branch" in found[0]
    assert problems(with_prop(format="git-branch", default="main")) == []
