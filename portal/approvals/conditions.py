"""Rule conditions are data — (fact, operator, value) — evaluated here by a fixed table, never eval().

A fact is a scalar (``monthly_cost``) or a list (``kinds``, ``values.instance_type`` — one entry
per item that has that value). On a list, positive operators hold when ANY entry matches and
``not_equals`` / ``not_in`` hold when NO entry matches; ``contains`` tests membership.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import models

SCALAR_FACTS = {
    "request_kind": "new (resources to create), modify, extend or decommission (of resources that exist), "
                    "triage (a migration triage) or dataset_change (a dataset's class or retention): only rules "
                    "testing request_kind apply to the last two",
    "any_gpu": "true when an item is a GPU machine or a cluster with GPU nodes",
    "monthly_cost": "estimated cost per month of every item together",
    "hourly_cost": "estimated cost per hour of every item together",
    "data_classification": "public, internal, confidential or restricted",
    "item_count": "number of items in the request",
    "team": "slug of the requesting team",
    "cost_centre": "the cost centre the requester gave",
    "expected_duration_days": "how long the requester expects to need the resources",
}
LIST_FACTS = {"kinds": "the resource kinds of the items (cpu_vm, gpu_vm, cluster, storage …)"}
VALUES_FACT = re.compile(r"^values\.[A-Za-z_][A-Za-z0-9_]{0,60}$")


class Operator(models.TextChoices):
    ALWAYS = "always", "always"
    EQUALS = "equals", "="
    NOT_EQUALS = "not_equals", "≠"
    GT = "gt", ">"
    GTE = "gte", "≥"
    LT = "lt", "<"
    LTE = "lte", "≤"
    IN = "in", "in"
    NOT_IN = "not_in", "not in"
    CONTAINS = "contains", "contains"
    IS_TRUE = "is_true", "is true"
    IS_FALSE = "is_false", "is false"


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _compare(test):
    def check(fact, value) -> bool:
        left, right = _number(fact), _number(value)
        return left is not None and right is not None and test(left, right)
    return check


def _equals(fact, value) -> bool:
    left, right = _number(fact), _number(value)
    if left is not None and right is not None:
        return left == right
    return fact == value


POSITIVE = {
    Operator.EQUALS: _equals,
    Operator.GT: _compare(lambda a, b: a > b),
    Operator.GTE: _compare(lambda a, b: a >= b),
    Operator.LT: _compare(lambda a, b: a < b),
    Operator.LTE: _compare(lambda a, b: a <= b),
    Operator.IN: lambda fact, value: any(_equals(fact, option) for option in value or []),
    Operator.IS_TRUE: lambda fact, value: fact is True,
}
NEGATED = {Operator.NOT_EQUALS: Operator.EQUALS, Operator.NOT_IN: Operator.IN, Operator.IS_FALSE: Operator.IS_TRUE}


def evaluate(facts: dict, fact: str, operator: str, value) -> bool:
    """Whether the condition holds for ``facts``; an unknown fact or operator never holds."""
    if operator == Operator.ALWAYS:
        return True
    if fact not in facts:
        return operator in NEGATED
    actual = facts[fact]
    entries = actual if isinstance(actual, list) else [actual]
    if operator == Operator.CONTAINS:
        return any(_equals(entry, value) for entry in entries)
    positive = NEGATED.get(operator, operator)
    test = POSITIVE.get(positive)
    if test is None:
        return False
    matched = any(test(entry, value) for entry in entries)
    return not matched if operator in NEGATED else matched


def is_known_fact(fact: str) -> bool:
    return fact in SCALAR_FACTS or fact in LIST_FACTS or bool(VALUES_FACT.match(fact))


def check_condition(fact: str, operator: str, value) -> str:
    """A message saying what is wrong with the condition, or "" when it can be evaluated."""
    if operator not in Operator.values:
        return f"Unknown operator '{operator}'."
    if operator == Operator.ALWAYS:
        return "" if value in (None, "") else 'Leave the value empty for "always".'
    if not is_known_fact(fact):
        known = ", ".join([*SCALAR_FACTS, *LIST_FACTS, "values.<parameter>"])
        return f"Unknown fact '{fact}'. Use one of: {known}."
    scalar = isinstance(value, str | int | float | bool)
    if operator in (Operator.GT, Operator.GTE, Operator.LT, Operator.LTE) and _number(value) is None:
        return "Compare with a number, e.g. 2000."
    if operator in (Operator.IN, Operator.NOT_IN) and not (
        isinstance(value, list) and value and all(isinstance(v, str | int | float) for v in value)
    ):
        return 'Give a list of values, e.g. ["confidential", "restricted"].'
    if operator in (Operator.EQUALS, Operator.NOT_EQUALS, Operator.CONTAINS) and not scalar:
        return 'Give one value, e.g. "gpu_vm" or 4.'
    if operator in (Operator.IS_TRUE, Operator.IS_FALSE) and value not in (None, ""):
        return "Leave the value empty for is true / is false."
    return ""
