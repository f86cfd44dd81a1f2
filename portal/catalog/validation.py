"""The one validator of requested values: forms, the API and the worker all call it."""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from portal.core.text import unsafe_character_message

from .formats import FORMAT_CHECKER, FormatRefused

__all__ = ["NON_FIELD", "SchemaError", "check_schema", "validate_values"]

NON_FIELD = "__all__"
TYPE_NAMES = {"integer": "a whole number", "number": "a number", "boolean": "true or false",
              "string": "text", "array": "a list", "object": "an object"}
_QUOTED = re.compile(r"^'([^']*)'")


def check_schema(schema: dict) -> None:
    """Raise SchemaError with a readable message if ``schema`` is not a usable JSON Schema."""
    if not isinstance(schema, dict):
        raise SchemaError("the schema must be a JSON object")
    Draft202012Validator.check_schema(schema)
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise SchemaError('the schema must be {"type": "object", "properties": {...}}')


def validate_values(schema: dict, values: dict) -> dict[str, list[str]]:
    """Field name → messages for a person; empty when ``values`` are valid."""
    errors: dict[str, list[str]] = {}
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    for error in validator.iter_errors(values):
        field, message = _explain(error, schema)
        if message not in errors.get(field, []):
            errors.setdefault(field, []).append(message)
    if isinstance(values, dict):
        for field, message in [*_ascending_errors(schema, values), *_character_errors(schema, values)]:
            if message not in errors.get(field, []):
                errors.setdefault(field, []).append(message)
    return errors


def _character_errors(schema: dict, values: dict):
    """No string anywhere in a value holds a control or invisible formatting character (portal.core.text);
    a property shown as a textarea (``"x-widget": "textarea"``) may hold line breaks and tabs."""
    props = schema.get("properties", {})
    for name, value in values.items():
        spec = props.get(name) if isinstance(props.get(name), dict) else {}
        multiline = spec.get("x-widget") == "textarea" and spec.get("type") == "string"
        for text in _strings_in(value):
            message = unsafe_character_message(text, multiline=multiline)
            if message:
                yield str(name), message
                break


def _strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings_in(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_in(key)
            yield from _strings_in(item)


def _ascending_errors(schema: dict, values: dict):
    """``x-ascending: [["min", "desired", "max"]]``: each present value at least the one before it."""
    props = schema.get("properties", {})
    for chain in schema.get("x-ascending", []):
        present = [(n, values[n]) for n in chain if isinstance(values.get(n), int | float)
                   and not isinstance(values.get(n), bool)]
        for (low_name, low), (name, value) in zip(present, present[1:], strict=False):
            if value < low:
                title = props.get(low_name, {}).get("title", low_name)
                yield name, f"Must be at least {low} ({title})."


def _explain(error, schema: dict) -> tuple[str, str]:
    path = [p for p in error.absolute_path]
    if error.validator in ("required", "dependentRequired") and not path:
        quoted = _QUOTED.match(error.message)
        missing = quoted.group(1) if quoted else NON_FIELD
        if error.validator == "dependentRequired":
            return missing, "This field is required with the options you chose."
        return missing, "This field is required."
    if error.validator == "additionalProperties" and not path:
        return NON_FIELD, f"Unknown fields: {error.message.split('(')[-1].rstrip(')')}"
    field = str(path[0]) if path else NON_FIELD
    spec = error.schema if isinstance(error.schema, dict) else {}
    value = error.validator_value
    messages = {
        "enum": lambda: "Choose one of: " + ", ".join(str(v) for v in value) + ".",
        "const": lambda: f"Must be {value}.",
        "minimum": lambda: f"Must be at least {value}.",
        "maximum": lambda: f"Must be at most {value}.",
        "exclusiveMinimum": lambda: f"Must be more than {value}.",
        "exclusiveMaximum": lambda: f"Must be less than {value}.",
        "multipleOf": lambda: f"Must be a multiple of {value}.",
        "minLength": lambda: f"Must have at least {value} characters.",
        "maxLength": lambda: f"Must have at most {value} characters.",
        "minItems": lambda: f"Choose at least {value}.",
        "maxItems": lambda: f"Choose at most {value}.",
        "uniqueItems": lambda: "Give each entry only once.",
        "pattern": lambda: _pattern_message(error, schema, spec, value),
        "format": lambda: str(error.cause) if isinstance(error.cause, FormatRefused) else f"Not a valid {value}.",
        "type": lambda: "Must be " + (" or ".join(TYPE_NAMES.get(t, t) for t in value) if isinstance(value, list)
                                      else TYPE_NAMES.get(value, value)) + ".",
    }
    return field, messages.get(error.validator, lambda: error.message)()


def _pattern_message(error, schema: dict, spec: dict, pattern: str) -> str:
    message = spec.get("x-pattern-message")
    path = list(error.absolute_path)
    if len(path) > 1:  # an item of a list: the list property carries the message
        owner = schema.get("properties", {}).get(str(path[0]), {})
        message = message or (owner.get("x-pattern-message") if isinstance(owner, dict) else None)
        return f"{error.instance!r}: {message or f'must match the pattern {pattern}.'}"
    return message or f"Must match the pattern {pattern}."
