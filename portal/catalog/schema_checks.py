"""What makes a template version unusable, in words an admin can act on.

The admin form and ``publish_version`` both call ``version_problems``; an empty list means the
version can be offered: its schema is valid JSON Schema, every form hint points at a real
property, every default is valid for its property, and the engine's module exists.
"""

from __future__ import annotations

import re
from pathlib import Path

from jsonschema import Draft202012Validator

from .conditions import referenced_names
from .formats import KNOWN_FORMATS
from .models import PORTAL_SET_VARIABLES
from .validation import SchemaError, check_schema

PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MODULE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def version_problems(*, schema, engine: str, module: str, fixed_values, modules_dir: Path | None) -> list[str]:
    try:
        check_schema(schema)
    except SchemaError as error:
        where = " → ".join(str(p) for p in error.path)
        return [f"The parameter schema is not valid JSON Schema{f' at {where}' if where else ''}: {error.message}"]
    problems = _property_problems(schema)
    problems += _module_problems(engine, module, modules_dir)
    if not isinstance(fixed_values, dict):
        problems.append("Fixed values must be a JSON object.")
    else:
        clash = sorted(set(fixed_values) & set(schema["properties"]))
        if clash:
            problems.append(f"Fixed values would silently override what requesters fill in: {', '.join(clash)}.")
        portal_set = sorted((set(fixed_values) | set(schema["properties"])) & PORTAL_SET_VARIABLES)
        if portal_set:
            problems.append(f"The portal sets {', '.join(portal_set)} itself: neither the schema nor the fixed "
                            "values may.")
    return problems


def _property_problems(schema: dict) -> list[str]:
    props: dict = schema["properties"]
    problems = []
    for name, spec in props.items():
        if not PROPERTY_NAME.match(name):
            problems.append(f"Property name {name!r}: use lowercase letters, digits and underscores "
                            "(it becomes a form field and a Terraform variable).")
        if not isinstance(spec, dict):
            problems.append(f"Property {name!r} must be an object describing the field.")
            continue
        if "default" in spec:
            for error in Draft202012Validator(spec).iter_errors(spec["default"]):
                problems.append(f"The default of {name!r} is not valid for it: {error.message}.")
        choices = spec.get("enum", (spec.get("items") or {}).get("enum") if isinstance(spec.get("items"), dict)
                           else None) or []
        stray = sorted(set(spec.get("x-enum-labels", {})) - {str(c) for c in choices})
        if stray:
            problems.append(f"x-enum-labels of {name!r} label values it does not offer: {', '.join(stray)}.")
        for fmt in (spec.get("format"), (spec.get("items") or {}).get("format")
                    if isinstance(spec.get("items"), dict) else None):
            if fmt is not None and fmt not in KNOWN_FORMATS:
                problems.append(f"The format of {name!r} is {fmt!r}, which the portal does not check; use one of: "
                                f"{', '.join(sorted(KNOWN_FORMATS))}.")
        for pattern in (spec.get("pattern"), (spec.get("items") or {}).get("pattern")
                        if isinstance(spec.get("items"), dict) else None):
            if isinstance(pattern, str):
                try:
                    re.compile(pattern)
                except re.error as error:
                    problems.append(f"The pattern of {name!r} is not a valid regular expression: {error}.")
    for label, names in [("x-order", schema.get("x-order", [])), ("required", schema.get("required", [])),
                         ("a condition (if/then or dependentRequired)", sorted(referenced_names(schema)))]:
        unknown = [n for n in names if n not in props]
        if unknown:
            problems.append(f"{label} names properties that do not exist: {', '.join(map(str, unknown))}.")
    for chain in schema.get("x-ascending", []):
        bad = [n for n in chain if props.get(n, {}).get("type") not in ("integer", "number")]
        if bad:
            problems.append(f"x-ascending must name number properties; not: {', '.join(map(str, bad))}.")
    return problems


def _module_problems(engine: str, module: str, modules_dir: Path | None) -> list[str]:
    if not MODULE_NAME.match(module or ""):
        return [f"Module {module!r}: use lowercase letters, digits, dashes and underscores only."]
    if engine == "terraform" and modules_dir is not None:
        directory = Path(modules_dir) / module
        if not directory.is_dir() or not any(directory.glob("*.tf")):
            return [f"There is no Terraform module '{module}' (looked for {directory}/*.tf)."]
    return []
