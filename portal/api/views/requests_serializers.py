"""Shapes of the request operations: what a new request sends, and what a request looks like."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.approvals.models import ApprovalStage, Decision
from portal.core.text import PrintableText
from portal.onboarding.models import DataClassification, RequestItem, RequestKind, RequestStatus, ResourceChange
from provisioning.models import Run, RunStatus

from ..schema import PointerSerializer
from .catalog_serializers import MONEY, EstimateOut, JSONObjectField, ValuesField

MAX_ITEMS = 50


class DetailsIn(serializers.Serializer):
    """What approval routing asks besides the values (checked by the onboarding service)."""

    data_classification = serializers.ChoiceField(choices=DataClassification.choices, required=False)
    business_justification = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    cost_centre = serializers.CharField(required=False, allow_blank=True, max_length=30,
                                        help_text="2–30 capital letters, digits or dashes, e.g. CC-4711.")
    expected_duration_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=730)


@extend_schema_field(DetailsIn)
class DetailsField(JSONObjectField):
    """The details as sent: ``portal.onboarding.details.clean_details`` is their one check."""


class RequestItemIn(serializers.Serializer):
    template = serializers.CharField(required=False, max_length=60,
                                     help_text="A template's slug (not with a bundle: its items follow the bundle's).")
    values = ValuesField(required=False, default=dict)


class RequestIn(serializers.Serializer):
    """One template (``template`` + ``values``), a bundle (``bundle`` + ``items`` of ``{values}`` in the
    bundle's order) or a list of ``items`` of ``{template, values}``."""

    team = serializers.CharField(max_length=60, help_text="The slug of a modelling team you belong to.")
    title = serializers.CharField(max_length=200, validators=[PrintableText()])
    template = serializers.CharField(required=False, max_length=60)
    values = ValuesField(required=False)
    bundle = serializers.CharField(required=False, max_length=60)
    items = serializers.ListField(child=RequestItemIn(), required=False, min_length=1, max_length=MAX_ITEMS)
    details = DetailsField(required=False, default=dict)

    def validate(self, data):
        shapes = [name for name in ("template", "bundle") if name in data]
        if len(shapes) > 1:
            raise serializers.ValidationError({"bundle": ["Give a template or a bundle, not both."]})
        if "template" in data and "items" in data:
            raise serializers.ValidationError({"items": ["Give a template with its values, or items, not both."]})
        if "values" in data and "template" not in data:
            raise serializers.ValidationError({"values": ["Values go with a template (or inside items)."]})
        if not shapes and "items" not in data:
            raise serializers.ValidationError(["Give a template, a bundle or items."])
        if "bundle" in data and "items" not in data:
            data["items"] = []  # a bundle's items are checked against the bundle (each needs its values)
        return data


class QuotaLineOut(serializers.Serializer):
    label = serializers.CharField()
    limit = serializers.CharField(allow_null=True, help_text="A number as text; null: no limit.")
    used = serializers.CharField(help_text="What the team holds now.")
    requested = serializers.CharField(help_text="What this request adds.")
    left = serializers.CharField(allow_null=True, help_text="What is left before this request; null: no limit.")
    exceeded = serializers.BooleanField(help_text="This request would go over the limit.")
    money = serializers.BooleanField(help_text="The amounts are US dollars a month.")


class QuotaOut(serializers.Serializer):
    exceeded = serializers.BooleanField()
    lines = QuotaLineOut(many=True)

    @staticmethod
    def of(report) -> dict | None:
        if report is None:
            return None

        def text(amount):
            return None if amount is None else str(amount)

        return {"exceeded": bool(report.exceeded),
                "lines": [{"label": line.label, "limit": text(line.limit), "used": text(line.used),
                           "requested": text(line.requested), "left": text(line.left), "exceeded": line.exceeded,
                           "money": line.money} for line in report.lines]}


class StageSpecOut(serializers.Serializer):
    team = serializers.CharField(help_text="The steering team's slug.")
    team_name = serializers.CharField()
    reason = serializers.CharField(help_text="Why this team reviews it.")
    group = serializers.IntegerField(help_text="Stages of one group run in parallel; groups in order.")
    required_approvals = serializers.IntegerField()
    sla_hours = serializers.IntegerField()


class ValidationOut(serializers.Serializer):
    valid = serializers.BooleanField(help_text="A POST /requests with this body would be accepted now.")
    errors = PointerSerializer(many=True)
    estimate = EstimateOut(allow_null=True, help_text="null when the items could not be read.")
    quota = QuotaOut(allow_null=True, help_text="null when the team has no quota or the values are not valid yet.")
    stages = StageSpecOut(many=True, help_text="The approval stages it would need.")


# -- what a request looks like ----------------------------------------------------------------------
class RequestSummary(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    team = serializers.CharField(source="team.slug", help_text="The requesting team's slug.")
    requester = serializers.CharField(source="requester.username")
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    estimated_monthly_cost = serializers.DecimalField(**MONEY, allow_null=True,
                                                      help_text="USD a month, as routed at the last submit.")
    pending_stages = serializers.SerializerMethodField(help_text="Slugs of the steering teams it waits for.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_pending_stages(self, request) -> list[str]:
        pending = getattr(request, "pending_stages", None)
        if pending is None:
            pending = [s for s in request.stages.all() if s.status == ApprovalStage.Status.PENDING]
        return [stage.team.slug for stage in pending]


class DetailsOut(serializers.Serializer):
    data_classification = serializers.ChoiceField(choices=DataClassification.choices)
    business_justification = serializers.CharField()
    cost_centre = serializers.CharField()
    expected_duration_days = serializers.IntegerField(allow_null=True)


class ItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    template = serializers.CharField(help_text="The template's slug.")
    version = serializers.IntegerField(help_text="The template version number the item pins.")
    status = serializers.ChoiceField(choices=RequestItem.Status.choices)
    values = ValuesField()
    outputs = JSONObjectField(help_text="What the resource exposes; sensitive values are masked.")
    resource_id = serializers.IntegerField(allow_null=True, help_text="The inventory resource, once it exists.")


class ChangeOut(serializers.Serializer):
    id = serializers.IntegerField()
    resource_id = serializers.IntegerField()
    resource_name = serializers.CharField()
    item = serializers.IntegerField(help_text="The item (of the request that created it) the change applies to.")
    status = serializers.ChoiceField(choices=ResourceChange.Status.choices)
    values = ValuesField(allow_null=True, help_text="A change of values: the new values.")
    previous_values = ValuesField(allow_null=True)
    extend_days = serializers.IntegerField(allow_null=True, help_text="An extension: the days added.")
    error = serializers.CharField()


class DecisionOut(serializers.Serializer):
    actor = serializers.CharField(help_text="Username of who decided.")
    on_behalf_of = serializers.CharField(allow_null=True, help_text="The away member a delegate decided for.")
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)
    status = serializers.ChoiceField(choices=Decision.Status.choices)
    comment = serializers.CharField()
    at = serializers.DateTimeField()


class StageOut(serializers.Serializer):
    id = serializers.IntegerField()
    team = serializers.CharField(help_text="The steering team's slug.")
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=ApprovalStage.Status.choices)
    round = serializers.IntegerField()
    group = serializers.IntegerField()
    required_approvals = serializers.IntegerField()
    due_at = serializers.DateTimeField(allow_null=True)
    decisions = DecisionOut(many=True)


class RunOut(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id")
    change = serializers.IntegerField(source="change_id", allow_null=True)
    action = serializers.ChoiceField(choices=Run.Action.choices)
    status = serializers.ChoiceField(choices=RunStatus.choices)
    attempt = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField()


class RequestDetail(RequestSummary):
    """A request as ``portal.api.views.requests.detail_of`` prepares it (the ``api_*`` attributes)."""

    details = DetailsOut(source="api_details")
    items = ItemOut(many=True, source="api_items", help_text="A new request's items (empty for a change request).")
    changes = ChangeOut(many=True, source="api_changes",
                        help_text="A change request's changes (empty for a new request).")
    stages = StageOut(many=True, source="api_stages", help_text="Approval stages of every review round.")
    runs = RunOut(many=True, source="api_runs", help_text="Engine runs on its items or changes, oldest first.")


# -- change requests ------------------------------------------------------------------------------------
REASON = {"max_length": 5000, "trim_whitespace": False, "allow_blank": True,
          "help_text": "Why (the approvers read it)."}


class DecommissionIn(serializers.Serializer):
    reason = serializers.CharField(**REASON)
    items = serializers.ListField(child=serializers.IntegerField(), required=False, allow_empty=False,
                                  max_length=MAX_ITEMS, help_text="Ids of the request's items to destroy; "
                                                                  "default: everything it created that exists.")


class ExtendIn(serializers.Serializer):
    days = serializers.IntegerField(help_text="Days added to its lifetime.")
    reason = serializers.CharField(**REASON)


class ModifyIn(serializers.Serializer):
    values = ValuesField(help_text="The values to change; the others keep what they are now.")
    reason = serializers.CharField(**REASON)


class OffboardIn(serializers.Serializer):
    reason = serializers.CharField(**REASON)
