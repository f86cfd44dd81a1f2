"""Runs through the API: one run and its log, for whoever may see the run's request (as on its page).
Sensitive values never appear: the variables are shown masked (``portal.core.secrets.masked``)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.secrets import masked
from portal.onboarding.permissions import can_view_request
from provisioning.models import Run, RunStatus

from .requests_serializers import RunOut

LOG_LINES_PER_ANSWER = 1000


class RunSerializer(RunOut):
    """A run: what the request detail lists of it, plus its request and the values it applied."""

    request = serializers.IntegerField(source="item.request_id", help_text="The request the run carries out.")
    variables = serializers.SerializerMethodField(help_text="What the engine got; sensitive values masked.")

    def get_variables(self, run) -> dict:
        return masked(run.variables)


class LogQuery(serializers.Serializer):
    after = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1,
                                     help_text="The number of the last line you have (0: from the start).")


class LogLineSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="seq", help_text="Lines are numbered from 1.")
    text = serializers.CharField()


class LogSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    status = serializers.ChoiceField(choices=RunStatus.choices)
    finished = serializers.BooleanField(help_text="The run is in a final status and this answer holds its last "
                                                  "line: there is nothing more to ask for.")
    lines = LogLineSerializer(many=True)
    next_after = serializers.IntegerField(help_text="Send it as ``after`` to get the lines that follow.")


def visible_run(user, pk) -> Run:
    """The run if ``user`` may see its request; otherwise the same 404 as a run that does not exist."""
    run = Run.objects.select_related("item__request").filter(pk=pk).first()
    if run is None or not can_view_request(user, run.item.request):
        raise Http404("No such run")
    return run


class RunDetail(APIView):
    """One run: what it was asked (variables masked), how it went."""

    @extend_schema(operation_id="runs_retrieve", responses=RunSerializer)
    def get(self, request, pk):
        return Response(RunSerializer(visible_run(request.user, pk)).data)


class RunLog(APIView):
    """A run's log from line ``after`` + 1 on (at most 1000 lines an answer); poll with ``next_after``
    until ``finished``."""

    @extend_schema(operation_id="runs_log", parameters=[LogQuery], responses=LogSerializer)
    def get(self, request, pk):
        run = visible_run(request.user, pk)  # its status read before its lines: a final status has every line
        query = LogQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = query.validated_data["after"]
        lines = list(run.log_lines.filter(seq__gt=after).order_by("seq")[:LOG_LINES_PER_ANSWER + 1])
        more = len(lines) > LOG_LINES_PER_ANSWER
        lines = lines[:LOG_LINES_PER_ANSWER]
        return Response(LogSerializer({
            "run": run.pk, "status": run.status, "finished": run.is_terminal and not more, "lines": lines,
            "next_after": lines[-1].seq if lines else after,
        }).data)
