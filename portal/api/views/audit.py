"""The audit trail through the API: pages of events, and the whole filtered range as a file (CSV or JSON).

Only for platform admins and auditors (``portal.core.roles.is_auditor``: Django's ``audit.view_auditevent``
permission, e.g. through the "Auditors" group), and with a token only if it has the ``admin`` scope.
Everyone else is refused with a 403 problem (the trail is not an object one may or may not see)."""

from __future__ import annotations

import csv
import json

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import ISO_8601
from rest_framework.views import APIView

from portal.audit.selectors import filtered_events
from portal.core.errors import PermissionDenied
from portal.core.roles import is_auditor

DATE_FORMATS = [ISO_8601, "%Y-%m-%d"]
TOO_BIG = 2**63 - 1


class AuditQuery(serializers.Serializer):
    since = serializers.DateTimeField(required=False, input_formats=DATE_FORMATS,
                                      help_text="From this time on (ISO 8601; a date means its midnight).")
    until = serializers.DateTimeField(required=False, input_formats=DATE_FORMATS,
                                      help_text="Before this time (ISO 8601; a date means its midnight).")
    actor = serializers.CharField(required=False, max_length=150, help_text="The username of who acted.")
    verb = serializers.CharField(required=False, max_length=60, help_text="e.g. request.submitted, stage.approve")
    target_type = serializers.CharField(required=False, max_length=60,
                                        help_text="e.g. onboarding.onboardingrequest")
    target_id = serializers.IntegerField(required=False, min_value=0, max_value=TOO_BIG)

    def validate(self, data):
        if data.get("since") and data.get("until") and data["until"] <= data["since"]:
            raise serializers.ValidationError({"until": "The end must be after the start."})
        return data

    def filters(self) -> dict:
        data = dict(self.validated_data)
        if "target_id" in data:
            data["target_id"] = str(data["target_id"])
        return data


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField(source="created_at")
    actor = serializers.CharField(source="actor.username", allow_null=True,
                                  help_text="null: the portal itself (a worker, a periodic task).")
    verb = serializers.CharField()
    target_type = serializers.SerializerMethodField()
    target_id = serializers.SerializerMethodField()
    data = serializers.DictField(help_text="What the event recorded (never a secret).")

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="app.model of the target; "
                                                                          "null: about nothing stored."))
    def get_target_type(self, event):
        return event.object_type or None

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The target's id (as text)."))
    def get_target_id(self, event):
        return event.object_id or None


def check_auditor(user) -> None:
    if not is_auditor(user):
        raise PermissionDenied("Only platform admins and auditors can read the audit trail.")


class AuditEvents(GenericAPIView):
    """The audit trail, newest first, filtered."""

    scopes = {"GET": "admin"}
    serializer_class = AuditEventSerializer

    @extend_schema(operation_id="audit_list", parameters=[AuditQuery], responses=AuditEventSerializer(many=True))
    def get(self, request):
        check_auditor(request.user)
        query = AuditQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(filtered_events(**query.filters()))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)


class IgnoreFormat(DefaultContentNegotiation):
    """``?format=`` names the file here, not a renderer (DRF's URL_FORMAT_OVERRIDE): problems are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _Lines:
    """A file-like object ``csv.writer`` writes one row to at a time (streamed, nothing kept)."""

    def write(self, value):
        return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula (OWASP: a leading ')."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


COLUMNS = ["id", "at", "actor", "verb", "target_type", "target_id", "data"]


def _csv_rows(events):
    writer = csv.writer(_Lines())
    yield writer.writerow(COLUMNS)
    for event in events:
        row = AuditEventSerializer(event).data
        row["data"] = json.dumps(row["data"], sort_keys=True, ensure_ascii=False)
        yield writer.writerow([_cell(row[column]) for column in COLUMNS])


def _json_rows(events):
    yield "["
    for index, event in enumerate(events):
        yield ("," if index else "") + "\n" + json.dumps(AuditEventSerializer(event).data, ensure_ascii=False)
    yield "\n]\n"


EXPORTS = {"csv": ("text/csv; charset=utf-8", _csv_rows), "json": ("application/json", _json_rows)}


class ExportQuery(AuditQuery):
    format = serializers.ChoiceField(choices=list(EXPORTS), required=False, default="csv",
                                     help_text="csv (the default) or json (a list of events).")


class AuditExport(APIView):
    """The whole filtered range, oldest first, as a download: CSV (one event a row, ``data`` as JSON text)
    or a JSON list of events."""

    scopes = {"GET": "admin"}
    content_negotiation_class = IgnoreFormat

    @extend_schema(
        operation_id="audit_export",
        parameters=[AuditQuery, OpenApiParameter("format", OpenApiTypes.STR, enum=list(EXPORTS), default="csv",
                                                 description="csv (the default) or json (a list of events).")],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Columns: " + ", ".join(COLUMNS)),
            (200, "application/json"): OpenApiResponse(AuditEventSerializer(many=True), description="A list."),
        })
    def get(self, request):
        check_auditor(request.user)
        query = ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.filters()
        kind = filters.pop("format")
        content_type, rows = EXPORTS[kind]
        events = filtered_events(**filters).order_by("created_at", "id").iterator(chunk_size=500)
        response = StreamingHttpResponse(rows(events), content_type=content_type)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{kind}"'
        return response
