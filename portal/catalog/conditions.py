"""Fields asked only under a condition, read from the schema the validator also enforces.

Two JSON Schema forms are understood (anything else is still validated, just always shown):
- ``{"if": {"properties": {"gpu_enabled": {"const": true}}}, "then": {"required": [...]}}`` at the top
  level or inside ``allOf``: the ``then`` fields are asked when the controller has that value;
- ``{"dependentRequired": {"lifecycle": ["days"]}}``: ``days`` is asked when ``lifecycle`` has a value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

PRESENT = object()  # the controller only has to have a value


@dataclass(frozen=True)
class Condition:
    controller: str
    value: object = PRESENT

    def holds(self, values: dict) -> bool:
        current = values.get(self.controller)
        if self.value is PRESENT:
            return current not in (None, "", [], False)
        return current == self.value and type(current) is type(self.value)

    def as_attribute(self) -> str:
        """For the browser: the controller's value as the form shows it ("true", "gitlab"), or "*"."""
        if self.value is PRESENT:
            return "*"
        return json.dumps(self.value) if isinstance(self.value, bool) else str(self.value)


def _if_then_blocks(schema: dict):
    blocks = [schema] + [b for b in schema.get("allOf", []) if isinstance(b, dict)]
    return [b for b in blocks if isinstance(b.get("if"), dict) and isinstance(b.get("then"), dict)]


def field_conditions(schema: dict) -> dict[str, list[Condition]]:
    """Dependent field → the conditions under which it is asked (any one suffices)."""
    found: dict[str, list[Condition]] = {}
    for block in _if_then_blocks(schema):
        tests = block["if"].get("properties", {})
        if len(tests) != 1:
            continue
        (controller, test), = tests.items()
        if not isinstance(test, dict) or "const" not in test:
            continue
        then = block["then"]
        for name in [*then.get("required", []), *then.get("properties", {})]:
            found.setdefault(name, []).append(Condition(controller, test["const"]))
    for controller, dependents in (schema.get("dependentRequired") or {}).items():
        for name in dependents:
            found.setdefault(name, []).append(Condition(controller))
    return found


def referenced_names(schema: dict) -> set[str]:
    """Every property name the conditions mention (for the admin's schema checks)."""
    names = set()
    for dependent, conditions in field_conditions(schema).items():
        names.add(dependent)
        names.update(c.controller for c in conditions)
    return names
