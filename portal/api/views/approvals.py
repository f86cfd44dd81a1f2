"""Approvals through the API: the caller's queue (the page's filters), deciding a stage, delegations.

Every rule is the page's: the queue is ``portal.approvals.selectors.filtered_queue`` (only stages the
caller may decide), who may decide is ``check_may_decide`` (segregation of duties, delegation) and the
decision itself goes through ``portal.onboarding.services.record_decision``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.approvals.delegations import create_delegation, end_delegation, may_end_delegation
from portal.approvals.models import ApprovalStage, Decision, Delegation
from portal.approvals.selectors import RISKS, SORTS, filtered_queue
from portal.approvals.services import check_may_decide
from portal.approvals.sla import OVERDUE, sla_state
from portal.core.errors import ApplicationError
from portal.core.text import PrintableText
from portal.onboarding.models import RequestStatus, ResourceChange
from portal.onboarding.permissions import can_view_request
from portal.onboarding.services import record_decision
from provisioning.models import Run, RunStatus

from ..problems import FieldProblems

# -- the queue --------------------------------------------------------------------------------


class QueuePage(PageNumberPagination):
    """The queue keeps the order the caller chose (age or cost), so it pages by number; the answer has the
    same ``next``/``previous``/``results`` envelope as the cursor pages."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"].pop("count", None)
        schema["required"] = ["next", "previous", "results"]
        return schema


class QueueQuery(serializers.Serializer):
    team = serializers.SlugField(required=False, allow_blank=True, default="",
                                 help_text="Only stages of this steering team.")
    risk = serializers.ChoiceField(choices=list(RISKS), required=False, allow_blank=True, default="",
                                   help_text="gpu, confidential, high_cost, or low (none of those).")
    overdue = serializers.BooleanField(required=False, default=False, help_text="Only stages past their due time.")
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="age",
                                   help_text="age: oldest first; -age: newest first; cost: most expensive first; "
                                             "-cost: cheapest first.")


class QueueRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    team = serializers.CharField(source="team.slug")
    requester = serializers.CharField(source="requester.username")
    estimated_monthly_cost = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class QueueRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The stage's id: decide it at approvals/{id}/decide.")
    request = QueueRequestSerializer()
    team = serializers.CharField(source="team.slug", help_text="The steering team this stage is for.")
    status = serializers.ChoiceField(choices=ApprovalStage.Status.choices)
    round = serializers.IntegerField()
    opened_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    plan_ready = serializers.BooleanField(help_text="Every item's newest plan preview has succeeded.")


def _plans_of_changes(stages) -> dict[int, list]:
    """For the change requests among ``stages``: request id -> the newest plan run of each change (or None),
    in two queries whatever the number of stages."""
    ids = [stage.request_id for stage in stages if stage.request.kind != "new"]
    if not ids:
        return {}
    changes = list(ResourceChange.objects.filter(request_id__in=ids).values_list("pk", "request_id"))
    newest: dict[int, Run] = {}
    for run in Run.objects.filter(action=Run.Action.PLAN, change_id__in=[pk for pk, _ in changes]).order_by(
            "created_at", "id"):
        newest[run.change_id] = run
    plans: dict[int, list] = {}
    for pk, request_id in changes:
        plans.setdefault(request_id, []).append(newest.get(pk))
    return plans


def queue_rows(stages, *, now) -> list[dict]:
    """What a queue row says of each stage (``stages`` from ``filtered_queue``: items and plans prefetched)."""
    change_plans = _plans_of_changes(stages)
    rows = []
    for stage in stages:
        if stage.request.kind == "new":
            plans = [item.plan_runs[0] if item.plan_runs else None for item in stage.request.items.all()]
        else:
            plans = change_plans.get(stage.request_id, [])
        ready = bool(plans) and all(plan is not None and plan.status == RunStatus.SUCCEEDED for plan in plans)
        rows.append({"id": stage.pk, "request": stage.request, "team": stage.team, "status": stage.status,
                     "round": stage.round, "opened_at": stage.opened_at, "due_at": stage.due_at,
                     "overdue": sla_state(stage, now) == OVERDUE, "plan_ready": ready})
    return rows


class ApprovalQueue(GenericAPIView):
    """The stages you may decide now — as yourself or for someone away — with the queue page's filters."""

    pagination_class = QueuePage
    serializer_class = QueueRowSerializer

    @extend_schema(operation_id="approvals_list", parameters=[QueueQuery], responses=QueueRowSerializer(many=True))
    def get(self, request):
        query = QueueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        now = timezone.now()
        stages = filtered_queue(request.user, now=now, **query.validated_data)
        page = self.paginate_queryset(stages)
        return self.get_paginated_response(QueueRowSerializer(queue_rows(page, now=now), many=True).data)


# -- deciding ---------------------------------------------------------------------------------


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.Outcome.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                    trim_whitespace=False, validators=[PrintableText(multiline=True)],
                                    help_text="Needed to reject or to request changes.")


class DecisionSerializer(serializers.Serializer):
    actor = serializers.CharField(source="actor.username")
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)
    comment = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class StageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    team = serializers.CharField(source="team.slug")
    status = serializers.ChoiceField(choices=ApprovalStage.Status.choices)
    round = serializers.IntegerField()
    decisions = DecisionSerializer(many=True)


class DecidedSerializer(serializers.Serializer):
    stage = StageSerializer()
    request_status = serializers.ChoiceField(choices=RequestStatus.choices,
                                             help_text="The request's status after this decision.")


def visible_stage(user, pk) -> ApprovalStage:
    """The stage if ``user`` may see its request; otherwise the same 404 as a stage that does not exist."""
    stage = ApprovalStage.objects.select_related("request__team", "team").filter(pk=pk).first()
    if stage is None or not can_view_request(user, stage.request):
        raise Http404("No such approval stage")
    return stage


class Decide(APIView):
    """Approve, reject or send back one stage — exactly as on the queue page (segregation of duties,
    delegation, the comment rules). Rejecting and requesting changes need a comment."""

    scopes = {"POST": "approve"}

    @extend_schema(operation_id="approvals_decide", request=DecideSerializer, responses=DecidedSerializer)
    def post(self, request, pk):
        stage = visible_stage(request.user, pk)
        check_may_decide(stage=stage, actor=request.user)  # who may decide, before anything else is said
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record_decision(stage=stage, actor=request.user, outcome=body.validated_data["decision"],
                        comment=body.validated_data["comment"])
        stage = (ApprovalStage.objects.select_related("team", "request")
                 .prefetch_related("decisions__actor").get(pk=stage.pk))
        valid = [d for d in stage.decisions.all() if d.status == Decision.Status.VALID]
        return Response(DecidedSerializer({
            "stage": {"id": stage.pk, "team": stage.team, "status": stage.status, "round": stage.round,
                      "decisions": valid},
            "request_status": stage.request.status,
        }).data)


# -- delegations ------------------------------------------------------------------------------


class DelegationSerializer(serializers.Serializer):
    """``from`` is away; ``to`` decides in their place between ``starts_at`` and ``ends_at``."""

    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    note = serializers.CharField(source="reason")
    active = serializers.SerializerMethodField()

    def get_fields(self):
        fields = super().get_fields()
        ordered = {"id": fields.pop("id"),
                   "from": serializers.CharField(source="from_user.username", help_text="Who is away."),
                   "to": serializers.CharField(source="to_user.username", help_text="Who decides for them.")}
        ordered.update(fields)
        return ordered

    def get_active(self, delegation) -> bool:
        now = timezone.now()
        return delegation.starts_at <= now < delegation.ends_at


class NewDelegationSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=150, help_text="The username of who decides for you.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                 validators=[PrintableText()])

    def validate_to(self, value):
        user = get_user_model().objects.filter(username=value.strip(), is_active=True).first()
        if user is None:
            raise serializers.ValidationError("Nobody with that username can log in.")
        return user


# The service names its fields as the model does; the API's body names them as above.
DELEGATION_POINTERS = {"to_user": "/to", "from_user": "/to", "starts_at": "/starts_at", "ends_at": "/ends_at",
                       "reason": "/note"}


class Delegations(GenericAPIView):
    """Your delegations, given (you are away) and received (you decide for someone), newest first;
    POST: someone decides in your place while you are away."""

    scopes = {"POST": "approve"}
    serializer_class = DelegationSerializer

    @extend_schema(operation_id="delegations_list", responses=DelegationSerializer(many=True))
    def get(self, request):
        mine = (Delegation.objects.filter(Q(from_user=request.user) | Q(to_user=request.user))
                .select_related("from_user", "to_user"))
        page = self.paginate_queryset(mine)
        return self.get_paginated_response(DelegationSerializer(page, many=True).data)

    @extend_schema(operation_id="delegations_create", request=NewDelegationSerializer,
                   responses={201: DelegationSerializer})
    def post(self, request):
        body = NewDelegationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            delegation = create_delegation(actor=request.user, from_user=request.user, to_user=data["to"],
                                           starts_at=data["starts_at"], ends_at=data["ends_at"], reason=data["note"])
        except ApplicationError as error:
            if error.field:
                pointer = DELEGATION_POINTERS.get(error.field, f"/{error.field}")
                raise FieldProblems([{"pointer": pointer, "detail": error.message}], detail=error.message) from error
            raise
        return Response(DelegationSerializer(delegation).data, status=201)


class EndDelegation(APIView):
    """Stop a delegation now (you are back early). Only the two people concerned (and platform admins)."""

    scopes = {"POST": "approve"}

    @extend_schema(operation_id="delegations_end", request=None, responses=DelegationSerializer)
    def post(self, request, pk):
        delegation = Delegation.objects.select_related("from_user", "to_user").filter(pk=pk).first()
        if delegation is None or not may_end_delegation(request.user, delegation):
            raise Http404("No such delegation")  # someone else's delegation is none of your business
        delegation = end_delegation(actor=request.user, delegation=delegation)
        return Response(DelegationSerializer(delegation).data)
