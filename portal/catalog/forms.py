"""Django forms generated from a template version's parameter schema."""

from __future__ import annotations

from django import forms

from .validation import NON_FIELD, validate_values


def ordered_properties(schema: dict) -> list[tuple[str, dict]]:
    """Properties in ``x-order`` first (jsonb does not keep key order), then the rest."""
    props = schema.get("properties", {})
    order = [name for name in schema.get("x-order", []) if name in props]
    order += [name for name in props if name not in order]
    return [(name, props[name]) for name in order]


def _field_for(name: str, spec: dict, required: bool) -> forms.Field:
    common = {"label": spec.get("title", name.replace("_", " ").capitalize()),
              "help_text": spec.get("description", ""), "initial": spec.get("default")}
    kind = spec.get("type")
    if "enum" in spec:
        labels = spec.get("x-enum-labels", {})
        choices = [(v, labels.get(str(v), str(v))) for v in spec["enum"]]
        field_cls = forms.TypedChoiceField
        coerce = int if kind == "integer" else float if kind == "number" else str
        return field_cls(choices=choices, coerce=coerce, required=required, **common)
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
    """The form of one template version; ``cleaned_values`` are valid against its schema."""

    def __init__(self, *args, schema: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.schema = schema
        required = set(schema.get("required", []))
        for name, spec in ordered_properties(schema):
            self.fields[name] = _field_for(name, spec, name in required)

    def clean(self):
        cleaned = super().clean()
        values = {k: v for k, v in cleaned.items() if v not in (None, "")}
        for field, messages in validate_values(self.schema, values).items():
            for message in messages:
                target = None if field == NON_FIELD or field not in self.fields else field
                if target is None or target not in self.errors:
                    self.add_error(target, message)
        self.cleaned_values = values
        return cleaned
