"""Schema → form → validation: every bad value gets a message on its field."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.catalog.forms import ParameterForm
from portal.catalog.seed import BUILTIN
from portal.catalog.validation import validate_values

SCHEMA = BUILTIN[0]["schema"]
GOOD = {"v-name": "churn-vm", "v-instance_type": "t3.large", "v-disk_size_gb": "40", "v-purpose": "features"}


def form(**overrides):
    return ParameterForm({**GOOD, **overrides}, schema=SCHEMA, prefix="v")


def test_fields_follow_the_schema_order_and_types():
    f = form()
    assert list(f.fields) == ["name", "instance_type", "disk_size_gb", "purpose"]
    assert f.is_valid(), f.errors
    assert f.cleaned_values == {"name": "churn-vm", "instance_type": "t3.large", "disk_size_gb": 40,
                                "purpose": "features"}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "Bad Name", "lowercase letters"),
    ("instance_type", "p4d.24xlarge", "valid choice"),
    ("disk_size_gb", "5", "greater than or equal to 20"),
    ("disk_size_gb", "abc", "whole number"),
    ("purpose", "", "required"),
])
def test_a_bad_value_gets_a_message_on_its_field(field, value, message):
    f = form(**{f"v-{field}": value})
    assert not f.is_valid()
    assert message in " ".join(f.errors[field])


def test_server_side_validator_rejects_unknown_fields_and_wrong_types():
    errors = validate_values(SCHEMA, {"name": "ok-name", "instance_type": "t3.large", "disk_size_gb": "40",
                                      "purpose": "x" * 3, "extra": 1})
    assert errors["disk_size_gb"] == ["Must be a integer."] or "integer" in errors["disk_size_gb"][0]
    assert "extra" in errors["__all__"][0]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(st.sampled_from(list(GOOD)), st.text(max_size=60)))
def test_any_post_is_valid_or_explained(overrides):
    """Whatever is posted, the form either validates against the schema or says what is wrong."""
    f = form(**overrides)
    if f.is_valid():
        assert validate_values(SCHEMA, f.cleaned_values) == {}
    else:
        assert all(messages for messages in f.errors.values())
