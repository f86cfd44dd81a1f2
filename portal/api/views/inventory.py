"""What exists, through the API: a team's resources (as on its dashboard) and its quota.

The resources of the teams you belong to (platform admins: every team's); one resource for whoever may
see the request that made it (as its page shows it). Outputs are shown masked."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.roles import is_platform_admin
from portal.inventory.models import ProvisionedResource
from portal.inventory.selectors import with_costs
from portal.onboarding.permissions import can_view_request
from portal.onboarding.quotas import quota_report
from portal.teams.models import Team
from portal.teams.permissions import modelling_team_for

STATUSES = {"active": [ProvisionedResource.Status.ACTIVE], "destroyed": [ProvisionedResource.Status.DESTROYED],
            "all": list(ProvisionedResource.Status.values)}


class ResourceQuery(serializers.Serializer):
    team = serializers.SlugField(required=False, help_text="Only this team's resources (one of your teams).")
    status = serializers.ChoiceField(choices=list(STATUSES), required=False, default="active",
                                     help_text="active (the default), destroyed or all.")


class ResourceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="resource.pk")
    name = serializers.CharField(source="resource.name")
    kind = serializers.CharField(source="resource.kind")
    team = serializers.CharField(source="resource.team.slug")
    status = serializers.ChoiceField(source="resource.status", choices=ProvisionedResource.Status.choices)
    template = serializers.CharField(source="resource.template_version.template.slug")
    version = serializers.IntegerField(source="resource.template_version.number")
    outputs = serializers.SerializerMethodField(help_text="Sensitive outputs masked.")
    monthly_cost = serializers.DecimalField(source="monthly", max_digits=14, decimal_places=2,
                                            help_text="Estimated from its values and the price list (USD).")
    expires_at = serializers.DateTimeField(source="resource.expires_at", allow_null=True)
    drift_status = serializers.ChoiceField(source="resource.drift_status",
                                           choices=ProvisionedResource.DriftStatus.choices)
    request = serializers.IntegerField(source="resource.item.request_id", help_text="The request that made it.")

    def get_outputs(self, row) -> dict:
        return row.resource.display_outputs


def _resources():
    return ProvisionedResource.objects.select_related("team", "template_version__template", "item")


def visible_team(user, slug) -> Team:
    """A modelling team ``user`` may act for; otherwise the same 404 as a team that does not exist."""
    team = modelling_team_for(user, slug)
    if team is None:
        raise Http404("No such team")
    return team


class Resources(GenericAPIView):
    """Resources of your teams (every team's for platform admins), newest first; active ones unless
    ``status`` says otherwise."""

    serializer_class = ResourceSerializer

    @extend_schema(operation_id="resources_list", parameters=[ResourceQuery], responses=ResourceSerializer(many=True))
    def get(self, request):
        query = ResourceQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        resources = _resources().filter(status__in=STATUSES[query.validated_data["status"]])
        if query.validated_data.get("team"):
            resources = resources.filter(team=visible_team(request.user, query.validated_data["team"]))
        elif not is_platform_admin(request.user):
            resources = resources.filter(team__memberships__user=request.user)
        page = self.paginate_queryset(resources)
        rows, _ = with_costs(page)
        return self.get_paginated_response(ResourceSerializer(rows, many=True).data)


class ResourceDetail(APIView):
    """One resource, for whoever may see the request that made it."""

    @extend_schema(operation_id="resources_retrieve", responses=ResourceSerializer)
    def get(self, request, pk):
        resource = _resources().select_related("item__request").filter(pk=pk).first()
        if resource is None or not can_view_request(request.user, resource.item.request):
            raise Http404("No such resource")  # don't reveal what other teams have
        rows, _ = with_costs([resource])
        return Response(ResourceSerializer(rows[0]).data)


QUOTA_KEYS = {"GPUs": "gpus", "Virtual machines": "vms", "Clusters": "clusters", "Monthly cost": "monthly_cost"}


class QuotaLineSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="gpus, vms, clusters or monthly_cost.")
    label = serializers.CharField()
    money = serializers.BooleanField(help_text="An amount in USD (else a count).")
    limit = serializers.CharField(allow_null=True, help_text="A count (\"4\") or an amount (\"1500.00\"); "
                                                         "null: no limit.")
    used = serializers.CharField()
    left = serializers.CharField(allow_null=True, help_text="null: no limit.")


class QuotaSerializer(serializers.Serializer):
    team = serializers.CharField()
    has_quota = serializers.BooleanField(help_text="false: the team has no quota (no lines).")
    lines = QuotaLineSerializer(many=True)


def _amount(value, money: bool) -> str | None:
    if value is None:
        return None
    return f"{Decimal(value):.2f}" if money else str(int(value))


class TeamQuota(APIView):
    """A modelling team's quota: per line its limit, what the team uses and what is left (as on its
    dashboard). For the team's members and platform admins."""

    @extend_schema(operation_id="teams_quota", responses=QuotaSerializer)
    def get(self, request, slug):
        team = visible_team(request.user, slug)
        report = quota_report(team)
        lines = [{"key": QUOTA_KEYS.get(line.label, line.label.lower().replace(" ", "_")), "label": line.label,
                  "money": line.money, "limit": _amount(line.limit, line.money), "used": _amount(line.used, line.money),
                  "left": _amount(line.left, line.money)}
                 for line in (report.lines if report else [])]
        return Response(QuotaSerializer({"team": team.slug, "has_quota": report is not None, "lines": lines}).data)
