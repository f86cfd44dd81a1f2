"""Django forms generated from a template version's parameter schema."""

from __future__ import annotations

import re

from django import forms

from .conditions import field_conditions
from .validation import NON_FIELD, validate_values


def ordered_properties(schema: dict) -> list[tuple[str, dict]]:
    """Properties in ``x-order`` first (jsonb does not keep key order), then the rest."""
    props = schema.get("properties", {})
    order = [name for name in schema.get("x-order", []) if name in props]
    order += [name for name in props if name not in order]
    return [(name, props[name]) for name in order]


class LinesField(forms.CharField):
    """A list of strings typed one per line (or separated by commas)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(str(v) for v in value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [part.strip() for part in re.split(r"[\n,]+", text) if part.strip()]


def _coerce_for(kind: str | None):
    return int if kind == "integer" else float if kind == "number" else str


def _field_for(name: str, spec: dict, required: bool) -> forms.Field:
    common = {"label": spec.get("title", name.replace("_", " ").capitalize()),
              "help_text": spec.get("description", ""), "initial": spec.get("default")}
    kind = spec.get("type")
    labels = spec.get("x-enum-labels", {})
    if "enum" in spec:
        choices = [(v, labels.get(str(v), str(v))) for v in spec["enum"]]
        if not required:
            choices = [("", "—")] + choices
        return forms.TypedChoiceField(choices=choices, coerce=_coerce_for(kind), required=required,
                                      empty_value=None, **common)
    if kind == "array":
        items = spec.get("items", {}) if isinstance(spec.get("items"), dict) else {}
        if "enum" in items:
            choices = [(v, labels.get(str(v), str(v))) for v in items["enum"]]
            return forms.TypedMultipleChoiceField(choices=choices, coerce=_coerce_for(items.get("type")),
                                                  required=required, widget=forms.CheckboxSelectMultiple, **common)
        return LinesField(required=required, **common)
    if kind == "integer":
        return forms.IntegerField(required=required, min_value=spec.get("minimum"),
                                  max_value=spec.get("maximum"), **common)
    if kind == "number":
        return forms.FloatField(required=required, min_value=spec.get("minimum"),
                                max_value=spec.get("maximum"), **common)
    if kind == "boolean":
        return forms.BooleanField(required=False, **common)
    widget = forms.Textarea(attrs={"rows": 3}) if spec.get("x-widget") == "textarea" else None
    return forms.CharField(required=required, max_length=spec.get("maxLength"),
                           min_length=spec.get("minLength"), strip=True, widget=widget, **common)


class ParameterForm(forms.Form):
    """The form of one template version; ``cleaned_values`` are valid against its schema.

    Fields under a condition (``if``/``then``, ``dependentRequired``) carry ``data-show-when`` for
    the browser; whatever the browser did, the server drops them (and their errors) when their
    condition does not hold, and the schema decides whether they are required when it does.
    """

    def __init__(self, *args, schema: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.schema = schema
        self.conditions = field_conditions(schema)
        required = set(schema.get("required", []))
        for name, spec in ordered_properties(schema):
            field = _field_for(name, spec, name in required and name not in self.conditions)
            field.group = spec.get("x-group", "")
            if name in self.conditions:
                condition = self.conditions[name][0]
                field.widget.attrs.update({"data-show-when": self.add_prefix(condition.controller),
                                           "data-show-value": condition.as_attribute()})
            self.fields[name] = field
        self.cleaned_values: dict = {}

    def main_fields(self):
        return [self[name] for name, field in self.fields.items() if not field.group]

    def workload_fields(self):
        return [self[name] for name, field in self.fields.items() if field.group == "workload"]

    def is_asked(self, name: str, values: dict) -> bool:
        conditions = self.conditions.get(name)
        return not conditions or any(c.holds(values) for c in conditions)

    def clean(self):
        cleaned = super().clean()
        values = {k: v for k, v in cleaned.items() if v not in (None, "", [])}
        for name in list(self.conditions):
            if not self.is_asked(name, values):
                values.pop(name, None)
                self._errors.pop(name, None)
        self.cleaned_values = values
        refused_by_field = set(self._errors)  # Django's own message already says what is wrong there
        for field, messages in validate_values(self.schema, values).items():
            target = None if field == NON_FIELD or field not in self.fields else field
            if target not in refused_by_field:
                for message in messages:
                    self.add_error(target, message)
        return cleaned
