"""Shapes of the catalog operations: templates, bundles and cost estimates."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.catalog.models import Price, ResourceKind

MONEY = {"max_digits": None, "decimal_places": 2, "coerce_to_string": True}


def schema_defaults(schema: dict) -> dict:
    """``{parameter: default}`` of a parameter schema (what a form starts with)."""
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    return {name: spec["default"] for name, spec in props.items() if isinstance(spec, dict) and "default" in spec}


@extend_schema_field({"type": "object", "additionalProperties": True,
                      "description": "A JSON Schema (draft 2020-12) of the values a requester gives."})
class JSONObjectField(serializers.JSONField):
    """Any JSON object (documented as one); anything else is refused."""

    default_error_messages = {"not_object": "Must be a JSON object.",
                              "nul": "Text may not contain the NUL character (\\u0000)."}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_object")
        if _has_nul(data):  # the database cannot store it
            self.fail("nul")
        return super().to_internal_value(data)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


@extend_schema_field({"type": "object", "additionalProperties": True,
                      "description": "Values by parameter name, as the template's parameter_schema describes."})
class ValuesField(JSONObjectField):
    pass


class VersionOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    parameter_schema = JSONObjectField()
    defaults = ValuesField(help_text="The default of each parameter that has one.")


class TemplateOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    description = serializers.CharField()
    version = VersionOut(help_text="The newest published version: what a request gets.")

    @staticmethod
    def of(version) -> dict:
        template = version.template
        return {"slug": template.slug, "name": template.name, "kind": template.kind,
                "description": template.description,
                "version": {"id": version.pk, "number": version.number, "parameter_schema": version.parameter_schema,
                            "defaults": schema_defaults(version.parameter_schema)}}


class BundleItemOut(serializers.Serializer):
    title = serializers.CharField()
    template = serializers.CharField(help_text="The template's slug.")
    version = serializers.IntegerField(allow_null=True, help_text="The version number a request gets; null when "
                                                                  "none is offered (the bundle cannot be requested).")


class BundleOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    items = BundleItemOut(many=True)


class EstimateItemIn(serializers.Serializer):
    template = serializers.CharField(max_length=60, help_text="A template's slug.")
    values = ValuesField(required=False, default=dict, help_text="Missing values count at their defaults.")


class EstimateIn(serializers.Serializer):
    items = serializers.ListField(child=EstimateItemIn(), min_length=1, max_length=50)


class CostLineOut(serializers.Serializer):
    label = serializers.CharField()
    key = serializers.CharField(help_text="The price-table key, e.g. ec2:g5.xlarge.")
    quantity = serializers.DecimalField(max_digits=None, decimal_places=4, coerce_to_string=True)
    unit = serializers.ChoiceField(choices=Price.Unit.choices)
    unit_price = serializers.DecimalField(max_digits=None, decimal_places=6, coerce_to_string=True, allow_null=True,
                                          help_text="USD per unit; null when the price table has no price.")
    hourly = serializers.DecimalField(max_digits=None, decimal_places=4, coerce_to_string=True)
    monthly = serializers.DecimalField(**MONEY)


class EstimateOut(serializers.Serializer):
    monthly_total = serializers.DecimalField(**MONEY)
    hourly_total = serializers.DecimalField(max_digits=None, decimal_places=4, coerce_to_string=True)
    currency = serializers.ChoiceField(choices=[("USD", "US dollars")])
    lines = CostLineOut(many=True)
    notes = serializers.ListField(child=serializers.CharField())

    @staticmethod
    def of(estimate) -> dict:
        return {"monthly_total": estimate.monthly, "hourly_total": estimate.hourly, "currency": "USD",
                "lines": [{"label": line.label, "key": line.key, "quantity": line.quantity, "unit": line.unit,
                           "unit_price": line.unit_usd, "hourly": line.hourly, "monthly": line.monthly}
                          for line in estimate.lines],
                "notes": list(estimate.notes)}

