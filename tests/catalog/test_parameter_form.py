"""Schema → form → validation: every bad value gets a message on its field, never a crash."""

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.catalog.forms import ParameterForm
from portal.catalog.seed import BUILTIN
from portal.catalog.validation import validate_values

SCHEMAS = {spec["slug"]: spec["schema"] for spec in BUILTIN}
SCHEMA = SCHEMAS["cpu-vm"]
GOOD = {"v-name": "churn-vm", "v-instance_type": "t3.large", "v-disk_size_gb": "40", "v-purpose": "features"}
CLUSTER_GOOD = {"v-name": "churn-eks", "v-cpu_instance_types": ["m5.xlarge"], "v-cpu_min_size": "1",
                "v-cpu_desired_size": "2", "v-cpu_max_size": "3", "v-node_disk_size_gb": "50",
                "v-purpose": "serving"}


def form(**overrides):
    return ParameterForm({**GOOD, **overrides}, schema=SCHEMA, prefix="v")


def post(schema_slug, values):
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return ParameterForm(data, schema=SCHEMAS[schema_slug], prefix="v")


def test_fields_follow_the_schema_order_and_types():
    f = form()
    assert list(f.fields)[:4] == ["name", "instance_type", "disk_size_gb", "purpose"]
    assert [b.name for b in f.workload_fields()] == ["workload_framework", "workload_stage", "workload_data_gb",
                                                     "workload_hours_per_week"]
    assert f.is_valid(), f.errors
    assert f.cleaned_values == {"name": "churn-vm", "instance_type": "t3.large", "disk_size_gb": 40,
                                "purpose": "features"}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "Bad Name", "lowercase letters"),
    ("instance_type", "p4d.24xlarge", "valid choice"),
    ("disk_size_gb", "5", "greater than or equal to 20"),
    ("disk_size_gb", "abc", "whole number"),
    ("purpose", "", "required"),
    ("workload_hours_per_week", "200", "less than or equal to 168"),
])
def test_a_bad_value_gets_a_message_on_its_field(field, value, message):
    f = form(**{f"v-{field}": value})
    assert not f.is_valid()
    assert message in " ".join(f.errors[field])


def test_server_side_validator_rejects_unknown_fields_and_wrong_types():
    errors = validate_values(SCHEMA, {"name": "ok-name", "instance_type": "t3.large", "disk_size_gb": "40",
                                      "purpose": "x" * 3, "extra": 1})
    assert errors["disk_size_gb"] == ["Must be a whole number."]
    assert "extra" in errors["__all__"][0]


def test_gpu_node_group_fields_are_conditional_on_gpu_enabled():
    f = post("eks-cluster", CLUSTER_GOOD)
    assert f.fields["gpu_max_size"].widget.attrs["data-show-when"] == "v-gpu_enabled"
    assert f.fields["gpu_max_size"].widget.attrs["data-show-value"] == "true"
    assert not f.fields["gpu_max_size"].required  # the schema decides, under its condition
    assert f.is_valid(), f.errors
    assert f.cleaned_values["gpu_enabled"] is False
    assert not any(name.startswith("gpu_") and name != "gpu_enabled" for name in f.cleaned_values)


def test_gpu_sizes_typed_while_disabled_are_dropped_with_their_errors():
    f = post("eks-cluster", {**CLUSTER_GOOD, "v-gpu_max_size": "lots", "v-gpu_min_size": "2"})
    assert f.is_valid(), f.errors
    assert "gpu_max_size" not in f.cleaned_values and "gpu_min_size" not in f.cleaned_values


def test_gpu_enabled_requires_the_node_group_sizes():
    f = post("eks-cluster", {**CLUSTER_GOOD, "v-gpu_enabled": "on"})
    assert not f.is_valid()
    for name in ("gpu_instance_types", "gpu_min_size", "gpu_desired_size", "gpu_max_size"):
        assert f.errors[name] == ["This field is required."]
    ok = post("eks-cluster", {**CLUSTER_GOOD, "v-gpu_enabled": "on", "v-gpu_instance_types": ["g5.xlarge"],
                              "v-gpu_min_size": "0", "v-gpu_desired_size": "1", "v-gpu_max_size": "2"})
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_values["gpu_instance_types"] == ["g5.xlarge"] and ok.cleaned_values["gpu_max_size"] == 2


def test_node_group_sizes_must_ascend():
    f = post("eks-cluster", {**CLUSTER_GOOD, "v-cpu_min_size": "3", "v-cpu_desired_size": "2"})
    assert not f.is_valid()
    assert f.errors["cpu_desired_size"] == ["Must be at least 3 (CPU nodes: minimum)."]


def test_array_of_choices_checks_count_and_choices():
    too_many = post("eks-cluster", {**CLUSTER_GOOD, "v-cpu_instance_types": ["m5.xlarge", "m5.2xlarge",
                                                                           "c5.2xlarge", "r5.2xlarge"]})
    assert too_many.errors["cpu_instance_types"] == ["Choose at most 3."]
    none = post("eks-cluster", {**CLUSTER_GOOD, "v-cpu_instance_types": []})
    assert "required" in none.errors["cpu_instance_types"][0]
    bad = post("eks-cluster", {**CLUSTER_GOOD, "v-cpu_instance_types": ["p4d.24xlarge"]})
    assert "valid choice" in bad.errors["cpu_instance_types"][0]


def test_storage_lifecycle_days_only_when_objects_expire():
    base = {"v-name": "churn-data", "v-sse_algorithm": "AES256", "v-versioning": "on", "v-expected_size_gb": "500",
            "v-purpose": "datasets", "v-lifecycle_days": "30"}
    kept = post("storage-bucket", base)
    assert kept.is_valid(), kept.errors and "lifecycle_days" not in kept.cleaned_values
    expiring = post("storage-bucket", {**base, "v-expire_objects": "on", "v-lifecycle_days": ""})
    assert expiring.errors["lifecycle_days"] == ["This field is required."]
    expiring = post("storage-bucket", {**base, "v-expire_objects": "on"})
    assert expiring.is_valid() and expiring.cleaned_values["lifecycle_days"] == 30


def test_list_of_names_one_per_line_with_item_messages():
    base = {"v-name": "churn-team", "v-description": "the churn team"}
    ok = post("directory-group", {**base, "v-member_user_names": "ana\nbob, carla\n\n"})
    assert ok.is_valid(), ok.errors and ok.cleaned_values["member_user_names"] == ["ana", "bob", "carla"]
    bad = post("directory-group", {**base, "v-member_user_names": "ana\nbob smith\nana"})
    assert not bad.is_valid()
    messages = " ".join(bad.errors["member_user_names"])
    assert "'bob smith'" in messages and "User names hold letters" in messages


def test_dependent_required_shows_a_field_once_its_controller_has_a_value():
    schema = {"type": "object", "properties": {"webhook": {"type": "string"}, "secret": {"type": "string"}},
              "dependentRequired": {"webhook": ["secret"]}}
    f = ParameterForm({"webhook": "https://x"}, schema=schema)
    assert f.fields["secret"].widget.attrs["data-show-value"] == "*"
    assert not f.is_valid() and f.errors["secret"] == ["This field is required with the options you chose."]
    assert ParameterForm({"secret": "dropped"}, schema=schema).is_valid()


def test_repo_questions_match_the_scaffold():
    f = post("ml-repo", {"v-name": "churn-model", "v-project_name": "Churn prediction", "v-owner_email": "not-mail",
                         "v-model_kind": "regressor", "v-ci_provider": "gitlab", "v-python_version": "3.12",
                         "v-retrain_schedule": "weekly"})
    assert not f.is_valid()
    assert "e-mail address" in f.errors["owner_email"][0]
    assert "5-field cron" in f.errors["retrain_schedule"][0]


TEXT = st.one_of(st.text(max_size=40), st.sampled_from(["", "0", "-1", "1e9", "on", "true", "NaN", "g5.xlarge"]))


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          deadline=None)
@given(slug=st.sampled_from(sorted(SCHEMAS)), data=st.data())
def test_any_post_is_valid_or_explained(slug, data):
    """Whatever is posted to any built-in form, it validates against the schema or says what is wrong."""
    names = [f"v-{name}" for name in SCHEMAS[slug]["properties"]]
    posted = data.draw(st.dictionaries(st.sampled_from(names), st.one_of(TEXT, st.lists(TEXT, max_size=4))))
    f = post(slug, posted)
    if f.is_valid():
        assert validate_values(SCHEMAS[slug], f.cleaned_values) == {}
    else:
        assert f.errors and all(messages for messages in f.errors.values())


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                               max_size=3), max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(slug=st.sampled_from(sorted(SCHEMAS)), values=st.dictionaries(st.text(max_size=25), JSON, max_size=6))
def test_the_service_validator_explains_any_json(slug, values):
    """Other entry points (API, worker) send JSON: every problem comes back as text under a field name."""
    errors = validate_values(SCHEMAS[slug], values)
    assert all(isinstance(k, str) and v and all(isinstance(m, str) and m for m in v) for k, v in errors.items())
