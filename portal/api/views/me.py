from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.roles import is_platform_admin
from portal.teams.selectors import teams_of

from ..serializers import TeamRef


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    teams = TeamRef(many=True)
    platform_admin = serializers.BooleanField()
    token = serializers.CharField(allow_null=True, help_text="The name of the token this call used, if any.")
    scopes = serializers.ListField(child=serializers.CharField(), allow_null=True)


class Me(APIView):
    """Who you are to the portal: your teams and, for a token, its name and scopes."""

    @extend_schema(responses=MeSerializer, operation_id="me")
    def get(self, request):
        user, token = request.user, request.auth
        return Response(MeSerializer({
            "username": user.username, "name": user.get_full_name() or user.username, "email": user.email,
            "teams": list(teams_of(user)), "platform_admin": is_platform_admin(user),
            "token": getattr(token, "name", None), "scopes": getattr(token, "scopes", None),
        }).data)
