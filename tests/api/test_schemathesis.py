"""schemathesis over every operation of the API's own OpenAPI document (served at /api/schema/), in process
(the portal's WSGI application, inside the test's database transaction):

* with a token of the demo requester holding every scope: never a server error, and every answer conforms
  to the document — its status code is documented, its content type too, its body matches the schema;
* with no credentials: every operation answers 401 (a problem document, as documented).

An operation added to the API is tested here without a line more. The examples are few per operation and
derandomized (the same cases every run); there is no time limit per example.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.accounts.tokens import ALL_SCOPES, create_token

pytestmark = pytest.mark.django_db
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


_handler = WSGIHandler()


def in_process(environ, start_response):
    """The portal's WSGI application answering inside the test's transaction: Django would otherwise close
    the test's database connection when a request starts and ends (as its test client avoids, too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = _handler(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()  # request_finished
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return [body]


# The document the portal serves at /api/schema/ (made in process: no request, no database).
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = in_process


def _routed(path: str) -> bool:
    from urllib.parse import unquote

    from django.urls import Resolver404, resolve

    try:
        resolve(unquote(path))
    except Resolver404:
        return False
    return True


@pytest.fixture
def requester_token(demo) -> str:
    return create_token(user=demo.people["requester"], name="schemathesis", scopes=ALL_SCOPES)[1]


def test_the_document_is_the_one_served(client):
    served = client.get("/api/schema/?format=json")
    assert served.status_code == 200 and served.json()["paths"] == schema.raw_schema["paths"]


@schema.parametrize()
@EXAMPLES
def test_every_operation_conforms_to_the_schema(case, requester_token):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {requester_token}"}
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@EXAMPLES
def test_every_operation_wants_credentials(case, db):
    case.headers = {name: value for name, value in (case.headers or {}).items() if name.lower() != "authorization"}
    case.cookies = {}
    response = case.call()
    # A path no URL pattern matches (an id of -1, a slug with a space) is not found before anyone is asked
    # who they are — the URL's shape is no secret; every path that reaches an operation wants credentials.
    expected = 401 if _routed(case.formatted_path) else 404
    assert response.status_code == expected, f"{case.method} {case.formatted_path}: {response.status_code}"
    assert response.headers["content-type"][0].startswith("application/problem+json")
    case.validate_response(response, checks=CHECKS)
