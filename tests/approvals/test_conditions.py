"""Conditions are data evaluated by a fixed table: every operator, scalars and lists, bad input."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portal.approvals.conditions import check_condition, evaluate
from portal.approvals.models import RuleCondition

FACTS = {"kinds": ["cpu_vm", "gpu_vm"], "any_gpu": True, "monthly_cost": Decimal("2100.50"),
         "data_classification": "confidential", "item_count": 2, "values.disk_size_gb": [40, 800],
         "expected_duration_days": None}


@pytest.mark.parametrize(("fact", "operator", "value", "holds"), [
    ("whatever", "always", None, True),
    ("kinds", "contains", "gpu_vm", True),
    ("kinds", "contains", "cluster", False),
    ("any_gpu", "is_true", None, True),
    ("any_gpu", "is_false", None, False),
    ("monthly_cost", "gt", 2000, True),
    ("monthly_cost", "gt", "2100.50", False),
    ("monthly_cost", "gte", 2100.5, True),
    ("monthly_cost", "lt", 2000, False),
    ("monthly_cost", "lte", 2100.5, True),
    ("monthly_cost", "gt", "lots", False),  # not a number: never holds
    ("data_classification", "in", ["confidential", "restricted"], True),
    ("data_classification", "not_in", ["confidential", "restricted"], False),
    ("data_classification", "equals", "public", False),
    ("data_classification", "not_equals", "public", True),
    ("item_count", "equals", 2, True),
    ("values.disk_size_gb", "gte", 500, True),  # any item
    ("values.disk_size_gb", "lt", 20, False),
    ("values.disk_size_gb", "not_in", [40], False),  # no item may match
    ("values.gpu_enabled", "is_true", None, False),  # missing fact
    ("values.gpu_enabled", "is_false", None, True),
    ("expected_duration_days", "gt", 30, False),  # None compares false
    ("data_classification", "equals", "__import__('os').system('id')", False),  # only ever compared
])
def test_evaluate(fact, operator, value, holds):
    assert evaluate(FACTS, fact, operator, value) is holds


def test_an_unknown_operator_never_holds():
    assert evaluate(FACTS, "kinds", "matches", ".*") is False


@pytest.mark.parametrize(("fact", "operator", "value", "problem"), [
    ("monthly_cost", "gt", "a lot", "number"),
    ("data_classification", "in", "confidential", "list"),
    ("kinds", "contains", ["gpu_vm"], "one value"),
    ("any_gpu", "is_true", True, "empty"),
    ("monthly_cost; drop table", "gt", 1, "Unknown fact"),
    ("values.__class__.__mro__", "equals", 1, "Unknown fact"),
    ("kinds", "eval", 1, "Unknown operator"),
    ("x", "always", 3, "empty"),
])
def test_bad_conditions_are_refused_with_a_reason(fact, operator, value, problem):
    assert problem in check_condition(fact, operator, value)
    with pytest.raises(ValidationError):
        RuleCondition(fact=fact, operator=operator, value=value).clean()


@pytest.mark.parametrize(("fact", "operator", "value"), [
    ("always", "always", None), ("monthly_cost", "gt", 2000), ("values.instance_type", "in", ["g5.xlarge"]),
    ("kinds", "contains", "cluster"), ("any_gpu", "is_true", None),
])
def test_good_conditions_pass(fact, operator, value):
    assert check_condition(fact, operator, value) == ""
