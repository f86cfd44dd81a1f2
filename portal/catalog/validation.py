"""The one validator of requested values: forms, the API and the worker all call it."""

from __future__ import annotations

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

__all__ = ["NON_FIELD", "SchemaError", "check_schema", "validate_values"]

NON_FIELD = "__all__"


def check_schema(schema: dict) -> None:
    """Raise SchemaError with a readable message if ``schema`` is not a usable JSON Schema."""
    Draft202012Validator.check_schema(schema)
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise SchemaError('the schema must be {"type": "object", "properties": {...}}')


def validate_values(schema: dict, values: dict) -> dict[str, list[str]]:
    """Field name → messages for a person; empty when ``values`` are valid."""
    errors: dict[str, list[str]] = {}
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    for error in validator.iter_errors(values):
        field, message = _explain(error, schema)
        errors.setdefault(field, []).append(message)
    return errors


def _explain(error, schema: dict) -> tuple[str, str]:
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return missing, "This field is required."
    if error.validator == "additionalProperties":
        return NON_FIELD, f"Unknown fields: {error.message.split('(')[-1].rstrip(')')}"
    field = str(error.path[0]) if error.path else NON_FIELD
    spec = error.schema if isinstance(error.schema, dict) else {}
    value = error.validator_value
    messages = {
        "enum": lambda: "Choose one of: " + ", ".join(str(v) for v in value) + ".",
        "minimum": lambda: f"Must be at least {value}.",
        "maximum": lambda: f"Must be at most {value}.",
        "minLength": lambda: f"Must have at least {value} characters.",
        "maxLength": lambda: f"Must have at most {value} characters.",
        "pattern": lambda: spec.get("x-pattern-message") or f"Must match the pattern {value}.",
        "type": lambda: f"Must be a {value}.",
    }
    return field, messages.get(error.validator, lambda: error.message)()
