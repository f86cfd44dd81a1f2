"""Requests: create (one template, a bundle, or items), validate without saving, list, detail,
withdraw / retry / cancel, and change requests of what exists (decommission, extend, modify, offboard).
Every rule is the onboarding services' (the same calls the pages make); here only the JSON."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.approvals.facts import facts_for
from portal.approvals.routing import stages_for
from portal.catalog.models import Bundle
from portal.catalog.pricing import estimate_items
from portal.catalog.selectors import bundle_unavailable, bundle_versions, offered_version_for
from portal.catalog.validation import NON_FIELD
from portal.core.errors import ApplicationError, Conflict, PermissionDenied
from portal.core.secrets import masked
from portal.inventory.models import ProvisionedResource
from portal.onboarding.details import DETAIL_FIELDS, InvalidDetails, clean_details
from portal.onboarding.idempotency import check_key, create_once, fingerprint
from portal.onboarding.models import OnboardingRequest, RequestKind, RequestStatus
from portal.onboarding.permissions import can_view_request
from portal.onboarding.quotas import quota_report
from portal.onboarding.selectors import request_detail, request_list_for
from portal.onboarding.services import (
    InvalidValues,
    cancel_fulfilment,
    changes,
    retry_fulfilment,
    submit_new_request,
    withdraw_request,
)
from portal.onboarding.services.requests import validated_items
from portal.teams.models import Team
from portal.teams.permissions import modelling_team_for
from portal.teams.selectors import is_member
from provisioning.models import Run

from ..problems import PROBLEM, FieldProblems, _escape, pointers
from ..schema import ProblemSerializer
from .catalog_serializers import EstimateOut
from .paths import ID, SLUG
from .requests_serializers import (
    DecommissionIn,
    ExtendIn,
    ModifyIn,
    OffboardIn,
    QuotaOut,
    RequestDetail,
    RequestIn,
    RequestSummary,
    ValidationOut,
)

TAGS = ["requests"]
CONFLICT = OpenApiResponse(response=ProblemSerializer, description="Refused in the request's state")


class TeamNotFound(FieldProblems):
    status_code = 404


# -- reading what was sent ------------------------------------------------------------------------------
class Entry:
    """One item asked for: the version, its values, and where the values were in the body."""

    def __init__(self, version, values: dict, pointer: str):
        self.version, self.values, self.pointer = version, values, pointer


def team_for(user, slug: str) -> Team:
    """A modelling team the caller may see (its members, platform admins); any other is not found."""
    team = modelling_team_for(user, slug)
    if team is None:
        raise TeamNotFound([{"pointer": "/team", "detail": f"No team “{slug}” that you belong to."}],
                           detail="No such team, or you may not see it.")
    return team


def entries_of(data: dict) -> list[Entry]:
    """The versions and values a valid RequestIn body asks for, or FieldProblems pointing at what is unknown."""
    if "template" in data:
        version = offered_version_for(data["template"])
        if version is None:
            raise FieldProblems([{"pointer": "/template",
                                  "detail": f"No template “{data['template']}” is offered in the catalog."}])
        return [Entry(version, data.get("values") or {}, "/values")]
    if "bundle" in data:
        return _bundle_entries(data["bundle"], data["items"])
    errors, found = [], []
    for position, item in enumerate(data["items"]):
        version = offered_version_for(item["template"]) if "template" in item else None
        if version is None:
            detail = (f"No template “{item['template']}” is offered in the catalog." if "template" in item
                      else "This field is required.")
            errors.append({"pointer": f"/items/{position}/template", "detail": detail})
        found.append(Entry(version, item["values"], f"/items/{position}/values"))
    if errors:
        raise FieldProblems(errors)
    return found


def _bundle_entries(slug: str, items: list[dict]) -> list[Entry]:
    bundle = Bundle.objects.filter(slug=slug, is_active=True).first()
    if bundle is None:
        raise FieldProblems([{"pointer": "/bundle", "detail": f"No bundle “{slug}” is offered in the catalog."}])
    specs = bundle_versions(bundle)
    unavailable = bundle_unavailable(bundle, specs)
    if unavailable:
        raise FieldProblems([{"pointer": "/bundle", "detail": unavailable}])
    if len(items) != len(specs):
        raise FieldProblems([{"pointer": "/items", "detail": f"The bundle has {len(specs)} items "
                              f"({', '.join(title for title, _ in specs)}): give the values of each, in that order."}])
    errors = [{"pointer": f"/items/{position}/template", "detail": "A bundle's items are the bundle's templates."}
              for position, item in enumerate(items) if "template" in item]
    if errors:
        raise FieldProblems(errors)
    return [Entry(version, item["values"], f"/items/{position}/values")
            for position, ((_, version), item) in enumerate(zip(specs, items, strict=True))]


def value_pointers(error: InvalidValues, base: str) -> list[dict]:
    found = []
    for field, messages in error.errors.items():
        pointer = base if field == NON_FIELD else f"{base}/{_escape(field)}"
        for message in [messages] if isinstance(messages, str) else messages:
            found.append({"pointer": pointer, "detail": message})
    return found


def detail_pointers(error: InvalidDetails) -> list[dict]:
    return [{"pointer": f"/details/{_escape(field)}", "detail": message} for field, message in error.errors.items()]


def _parsed(request, serializer_class):
    given = serializer_class(data=request.data)
    given.is_valid(raise_exception=True)
    return given.validated_data


# -- what a request looks like ----------------------------------------------------------------------------
def detail_of(pk: int) -> dict:
    """A request with its items (outputs masked), changes, stages and runs: a fixed number of queries."""
    found = request_detail(pk)
    resources = {resource.item_id: resource for resource in ProvisionedResource.objects.filter(item__request=found)}
    found.api_details = {name: getattr(found, name) for name in DETAIL_FIELDS}
    found.api_items = [
        {"id": item.pk, "template": item.template_version.template.slug, "version": item.template_version.number,
         "status": item.status, "values": item.values,
         "outputs": _outputs(resources.get(item.pk)), "resource_id": getattr(resources.get(item.pk), "pk", None)}
        for item in found.items.all()]
    found.api_changes = [
        {"id": change.pk, "resource_id": change.resource_id, "resource_name": change.resource.name,
         "item": change.resource.item_id, "status": change.status, "values": change.values,
         "previous_values": change.previous_values, "extend_days": change.extend_days, "error": change.error}
        for change in found.changes.select_related("resource")]
    found.api_stages = [
        {"id": stage.pk, "team": stage.team.slug, "reason": stage.reason, "status": stage.status,
         "round": stage.round, "group": stage.group, "required_approvals": stage.required_approvals,
         "due_at": stage.due_at,
         "decisions": [{"actor": decision.actor.username,
                        "on_behalf_of": getattr(decision.on_behalf_of, "username", None),
                        "outcome": decision.outcome, "status": decision.status, "comment": decision.comment,
                        "at": decision.created_at} for decision in stage.decisions.all()]}
        for stage in found.stages.all()]
    found.api_runs = list(Run.objects.filter(Q(item__request=found) | Q(change__request=found))
                          .order_by("created_at", "id"))
    return RequestDetail(found).data


def _outputs(resource) -> dict:
    """What an existing resource exposes, sensitive values masked; nothing before it exists or once destroyed."""
    if resource is None or resource.status != ProvisionedResource.Status.ACTIVE:
        return {}
    return masked(resource.outputs)


def visible_request(user, pk: int) -> OnboardingRequest:
    """The request if the caller may see it; otherwise 404, exactly as if it did not exist."""
    found = OnboardingRequest.objects.select_related("team").filter(pk=pk).first()
    if found is None or not can_view_request(user, found):
        raise Http404("No such request")
    return found


# -- create and validate ----------------------------------------------------------------------------------
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Up to 100 visible ASCII characters. The same key with the same body answers with the request it "
                "created (201, the same id) instead of creating another; with another body: 409. Keys are kept for "
                "PORTAL_IDEMPOTENCY_KEY_DAYS (7 by default).")

REPLAYED = OpenApiParameter(
    "Idempotent-Replayed", OpenApiTypes.STR, OpenApiParameter.HEADER, enum=["true", "false"], response=[201],
    description="With an Idempotency-Key: true when this answer is the request an earlier call created.")


class Requests(ListAPIView):
    """GET: the requests you may see, newest first (cursor pages). POST: a new request, submitted for review."""

    serializer_class = RequestSummary

    def get_queryset(self):
        filters = RequestFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        found = request_list_for(self.request.user)
        if "team" in wanted:
            found = found.filter(team__slug=wanted["team"])
        if "status" in wanted:
            found = found.filter(status=wanted["status"])
        if "kind" in wanted:
            found = found.filter(kind=wanted["kind"])
        if "template" in wanted:
            found = found.filter(pk__in=OnboardingRequest.objects.filter(
                items__template_version__template__slug=wanted["template"]).values("pk"))
        if "created_after" in wanted:
            found = found.filter(created_at__gte=wanted["created_after"])
        if "created_before" in wanted:
            found = found.filter(created_at__lt=wanted["created_before"])
        return found

    @extend_schema(operation_id="requests_list", tags=TAGS, parameters=[
        OpenApiParameter("team", OpenApiTypes.STR, description="A team's slug."),
        OpenApiParameter("status", OpenApiTypes.STR, enum=RequestStatus.values),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=RequestKind.values),
        OpenApiParameter("template", OpenApiTypes.STR, description="Requests with an item of this template (slug)."),
        OpenApiParameter("created_after", OpenApiTypes.DATETIME, description="Created at or after (ISO 8601)."),
        OpenApiParameter("created_before", OpenApiTypes.DATETIME, description="Created before (ISO 8601)."),
    ])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="requests_create", tags=TAGS, request=RequestIn, parameters=[IDEMPOTENCY_KEY, REPLAYED],
                   responses={201: RequestDetail, (409, PROBLEM): OpenApiResponse(
                       response=ProblemSerializer, description="The Idempotency-Key was used with another body")})
    def post(self, request):
        key = request.headers.get("Idempotency-Key")
        if key is not None:
            check_key(key)
        data = _parsed(request, RequestIn)
        team = team_for(request.user, data["team"])
        entries = entries_of(data)

        def create() -> OnboardingRequest:
            try:
                return submit_new_request(actor=request.user, team=team, title=data["title"],
                                          items=[(entry.version, entry.values) for entry in entries],
                                          details=data["details"])
            except InvalidValues as error:
                raise FieldProblems(value_pointers(error, entries[error.position].pointer)) from None
            except InvalidDetails as error:
                raise FieldProblems(detail_pointers(error)) from None

        headers = {}
        if key is None:
            created = create()
        else:
            created, new = create_once(user=request.user, key=key, body_hash=fingerprint(request.data), create=create)
            headers["Idempotent-Replayed"] = "false" if new else "true"
        return Response(detail_of(created.pk), status=201, headers=headers)


class RequestFilters(serializers.Serializer):
    team = serializers.CharField(required=False, max_length=60)
    status = serializers.ChoiceField(choices=RequestStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=RequestKind.choices, required=False)
    template = serializers.CharField(required=False, max_length=60)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)


class ValidateRequest(APIView):
    """A dry run of POST /requests: what it would refuse (with pointers), cost, quota and approval
    stages. Saves nothing."""

    scopes = {"POST": "read"}  # saves nothing

    @extend_schema(operation_id="requests_validate", tags=TAGS, request=RequestIn, responses=ValidationOut)
    def post(self, request):
        given = RequestIn(data=request.data)
        if not given.is_valid():
            return Response(_validation(errors=pointers(given.errors)))
        data = given.validated_data
        team = team_for(request.user, data["team"])
        if not is_member(request.user, team):
            raise PermissionDenied("You can only request resources for a team you belong to.")
        try:
            entries = entries_of(data)
        except FieldProblems as problems:
            return Response(_validation(errors=problems.errors))
        pairs = [(entry.version, entry.values) for entry in entries]
        errors = []
        for entry in entries:
            try:
                validated_items([(entry.version, entry.values)])
            except InvalidValues as error:
                errors += value_pointers(error, entry.pointer)
            except ApplicationError as error:
                errors.append({"pointer": entry.pointer, "detail": error.message})
        try:
            details = clean_details(data["details"])
        except InvalidDetails as error:
            errors += detail_pointers(error)
            details = {}
        quota = None
        if not errors:
            report = quota_report(team, items=pairs)
            quota = QuotaOut.of(report)
            if report is not None and report.exceeded:
                errors.append({"pointer": "/", "detail": report.message()})
        draft = OnboardingRequest(team=team, requester=request.user, title=data["title"], **details)
        try:
            stages = stages_for(draft, facts_for(draft, pairs))
        except ApplicationError as error:
            stages = []
            errors.append({"pointer": "/", "detail": error.message})
        return Response(_validation(errors=errors, estimate=EstimateOut.of(estimate_items(pairs)), quota=quota,
                                    stages=[{"team": stage.team.slug, "team_name": stage.team.name,
                                             "reason": stage.reason, "group": stage.group,
                                             "required_approvals": stage.required_approvals,
                                             "sla_hours": stage.sla_hours} for stage in stages]))


def _validation(*, errors, estimate=None, quota=None, stages=()) -> dict:
    return ValidationOut({"valid": not errors, "errors": errors, "estimate": estimate, "quota": quota,
                          "stages": list(stages)}).data


# -- one request ----------------------------------------------------------------------------------------------
class RequestDetailView(APIView):
    @extend_schema(operation_id="requests_retrieve", tags=TAGS, parameters=[ID], responses=RequestDetail)
    def get(self, request, pk: int):
        return Response(detail_of(visible_request(request.user, pk).pk))


def _refusals_as_conflicts(call):
    """A refusal because of the request's state is a 409; a refusal of the person stays a 403."""
    try:
        return call()
    except PermissionDenied:
        raise
    except ApplicationError as error:
        raise Conflict(error.message) from None


class Withdraw(APIView):
    @extend_schema(operation_id="requests_withdraw", tags=TAGS, parameters=[ID], request=None,
                   responses={200: RequestDetail, (409, PROBLEM): CONFLICT})
    def post(self, request, pk: int):
        found = visible_request(request.user, pk)
        _refusals_as_conflicts(lambda: withdraw_request(request=found, actor=request.user))
        return Response(detail_of(found.pk))


class Retry(APIView):
    @extend_schema(operation_id="requests_retry", tags=TAGS, parameters=[ID], request=None,
                   responses={200: RequestDetail, (409, PROBLEM): CONFLICT})
    def post(self, request, pk: int):
        found = visible_request(request.user, pk)
        _refusals_as_conflicts(lambda: retry_fulfilment(request=found, actor=request.user))
        return Response(detail_of(found.pk))


class Cancel(APIView):
    @extend_schema(operation_id="requests_cancel", tags=TAGS, parameters=[ID], request=None,
                   responses={200: RequestDetail, (409, PROBLEM): CONFLICT})
    def post(self, request, pk: int):
        found = visible_request(request.user, pk)
        _refusals_as_conflicts(lambda: cancel_fulfilment(request=found, actor=request.user))
        return Response(detail_of(found.pk))


# -- change requests ---------------------------------------------------------------------------------------------
def changeable_resource(user, pk: int) -> ProvisionedResource:
    """An active resource of a team the caller may change; any other is not found (as on the pages)."""
    resource = get_object_or_404(
        ProvisionedResource.objects.select_related("team", "item__request", "item__template_version__template"),
        pk=pk, status=ProvisionedResource.Status.ACTIVE)
    if not changes.may_change(user, resource.team):
        raise Http404("No such resource")
    return resource


class Decommission(APIView):
    """Ask to destroy what a request created (all of it, or the items named), through review."""

    @extend_schema(operation_id="requests_decommission", tags=TAGS, parameters=[ID], request=DecommissionIn,
                   responses={201: RequestDetail})
    def post(self, request, pk: int):
        origin = visible_request(request.user, pk)
        if not changes.may_change(request.user, origin.team):
            raise Http404("No such request")
        data = _parsed(request, DecommissionIn)
        resources = list(ProvisionedResource.objects.filter(item__request=origin,
                                                            status=ProvisionedResource.Status.ACTIVE)
                         .select_related("team", "item__request"))
        if "items" in data:
            by_item = {resource.item_id: resource for resource in resources}
            unknown = [{"pointer": f"/items/{position}", "detail": f"Request #{origin.pk} has no active item {pk}."}
                       for position, pk in enumerate(data["items"]) if pk not in by_item]
            if unknown:
                raise FieldProblems(unknown)
            resources = [by_item[pk] for pk in dict.fromkeys(data["items"])]
        made = changes.request_decommission(actor=request.user, resources=resources, reason=data["reason"])
        return Response(detail_of(made.pk), status=201)


class Extend(APIView):
    @extend_schema(operation_id="resources_extend", tags=TAGS, parameters=[ID], request=ExtendIn,
                   responses={201: RequestDetail})
    def post(self, request, pk: int):
        resource = changeable_resource(request.user, pk)
        data = _parsed(request, ExtendIn)
        made = changes.request_extension(actor=request.user, resource=resource, days=data["days"],
                                         reason=data["reason"])
        return Response(detail_of(made.pk), status=201)


class Modify(APIView):
    @extend_schema(operation_id="resources_modify", tags=TAGS, parameters=[ID], request=ModifyIn,
                   responses={201: RequestDetail})
    def post(self, request, pk: int):
        resource = changeable_resource(request.user, pk)
        data = _parsed(request, ModifyIn)
        values = {**resource.item.values, **data["values"]}  # what is not sent stays as it is
        try:
            made = changes.request_modification(actor=request.user, resource=resource, values=values,
                                                reason=data["reason"])
        except InvalidValues as error:
            raise FieldProblems(value_pointers(error, "/values")) from None
        return Response(detail_of(made.pk), status=201)


class Offboard(APIView):
    """Offboard a team's project: one request that decommissions everything it owns."""

    @extend_schema(operation_id="teams_offboard", tags=TAGS, parameters=[SLUG], request=OffboardIn,
                   responses={201: RequestDetail})
    def post(self, request, slug: str):
        team = get_object_or_404(Team, slug=slug, kind=Team.Kind.MODELLING)
        if not changes.may_change(request.user, team):
            raise Http404("No such team")
        data = _parsed(request, OffboardIn)
        made = changes.request_offboarding(actor=request.user, team=team, reason=data["reason"])
        return Response(detail_of(made.pk), status=201)
