from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal access token (pat_…), made on your Access tokens page."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.BrowserSession"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


from drf_spectacular.openapi import AutoSchema  # noqa: E402
from rest_framework import serializers  # noqa: E402


class PointerSerializer(serializers.Serializer):
    pointer = serializers.CharField(help_text="JSON pointer into what was sent, e.g. /items/0/values/cpu")
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = PointerSerializer(many=True, required=False)

    class Meta:
        ref_name = "Problem"


PROBLEM_ANSWERS = {"400": "Bad input", "401": "Not authenticated", "403": "Forbidden (or a scope missing)",
                   "404": "No such object, or you may not see it", "429": "Too many calls"}


class PortalAutoSchema(AutoSchema):
    """Every operation documents the problem answers it can give besides its success."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in PROBLEM_ANSWERS.items():
            if code not in responses:
                answer = self._get_response_for_code(ProblemSerializer, code, media_types=["application/problem+json"])
                answer["description"] = description
                responses[code] = answer
        return responses
