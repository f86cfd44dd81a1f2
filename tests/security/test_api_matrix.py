"""Every API operation (from the OpenAPI document the portal serves) × every caller, against ONE table.

HOW TO ADD AN OPERATION — one line in ``OPERATIONS`` below, keyed exactly as the schema names it
("METHOD /path/{param}", the method in capitals, the path as in the document's ``paths``):

    "GET /api/v1/requests/{id}": op("read", "404", owner="200", approver="200", admin="200", params=IN_REVIEW),
    "POST /api/v1/requests/{id}/withdraw": op("request", "404", owner="200", approver="403", admin="403",
                                              params=IN_REVIEW, body=EMPTY),
    "POST /api/v1/approvals/{stage_id}/decide": op("approve", "404", approver="200", owner="403", admin="403",
                                                   params=STAGE, body=lambda w: {"decision": "approve"}),
    "GET /api/v1/audit": op("admin", "403", admin="200", lacking_as="admin"),

(illustrations: the outcomes and parameter names are whatever the real operations answer and the schema
says; ``IN_REVIEW``, ``STAGE``, ``RESOURCE``, ``TEAM``, ``EMPTY`` are defined above the table.)

* ``op(scope, default, **by_caller)``: ``scope`` is the token scope the operation needs (read, request,
  approve, admin); ``default`` the outcome for every caller the line does not name. Callers (``CALLERS``):
  anon, owner, other, approver, admin, lacking. ``anon`` defaults to "401" and ``lacking`` (a token of the
  owner holding every scope except ``scope``; ``lacking_as="admin"`` makes it the admin's) to "403".
* Outcomes are status codes as text: "200", "201", "400", "401", "403", "404", "409", …
* ``params=`` the path parameters from the world (tests/security/conftest.py: team A's request in review,
  its MLOps stage, its active resource, …): ``lambda w: {"id": w.in_review.pk}``; ``body=`` the JSON body
  (``lambda w: {...}``), else none is sent; ``query=`` the query string (``lambda w: {...}``); ``headers=``
  extra headers (``{"Idempotency-Key": "matrix-1"}``).

A refusal (401, 403, 404, 405, 409) must be an RFC 9457 problem and change nothing in the database; each
call runs in a savepoint that is rolled back, so every call starts from the same world. An operation of
the schema missing from the table — or a line for an operation that no longer exists — fails
``test_every_operation_is_in_the_table``; a URL under /api/v1/ that the schema does not document fails
``test_every_api_url_is_documented`` (the schema and docs pages are in test_authorization_matrix.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from portal.accounts.tokens import ALL_SCOPES, create_token
from tests.fixtures.people import CPU_VM_VALUES

from .conftest import World, state

CALLERS = {
    "anon": "no credentials",
    "owner": "requester of the owning team (team A), with a token holding every scope",
    "other": "requester of another modelling team (team B), every scope",
    "approver": "approver in MLOps enablement (a stage on team A's requests), every scope",
    "admin": "platform admin, every scope",
    "lacking": "a token of the owner (or of ``lacking_as``) holding every scope but the one the operation needs",
}
WORLD_PERSON = {"owner": "owner", "other": "other", "approver": "mlops", "admin": "admin"}
REFUSED = {"401", "403", "404", "405", "409"}
Params = Callable[[World], dict]


@dataclass(frozen=True)
class Operation:
    scope: str
    expected: dict[str, str]
    params: Params = lambda w: {}
    body: Params | None = None
    query: Params = lambda w: {}
    lacking_as: str = "owner"
    headers: dict[str, str] | None = None


def op(scope: str, default: str, *, anon: str = "401", lacking: str = "403", params: Params | None = None,
       body: Params | None = None, query: Params | None = None, lacking_as: str = "owner",
       headers: dict[str, str] | None = None, **by_caller: str) -> Operation:
    assert scope in ALL_SCOPES, f"no such scope: {scope}"
    unknown = set(by_caller) - set(CALLERS)
    assert not unknown, f"no such caller: {unknown}"
    expected = {caller: by_caller.get(caller, default) for caller in CALLERS}
    expected.update(anon=anon, lacking=lacking)
    return Operation(scope, expected, params or (lambda w: {}), body, query or (lambda w: {}), lacking_as, headers)


# Path parameters from the world, for the lines to come.
IN_REVIEW = lambda w: {"id": w.in_review.pk}  # noqa: E731 — team A's request in review
STAGE = lambda w: {"id": w.stage.pk}  # noqa: E731 — its MLOps stage
RESOURCE = lambda w: {"id": w.resource.pk}  # noqa: E731 — team A's active VM
TEAM = lambda w: {"slug": w.team.slug}  # noqa: E731
EMPTY = lambda w: {}  # noqa: E731 — an empty JSON body

ACTIVE = lambda w: {"id": w.active.pk}  # noqa: E731 — team A's active request
RUN = lambda w: {"id": w.in_review.items.get().runs.first().pk}  # noqa: E731 — the preview of the one in review
BUNDLE = lambda w: {"slug": w.bundle.slug}  # noqa: E731
CPU_VM = lambda w: {"slug": "cpu-vm"}  # noqa: E731
NEW_VM = lambda w: {"team": w.team.slug, "title": "Another VM", "template": "cpu-vm",  # noqa: E731
                    "values": {**CPU_VM_VALUES, "name": "another-vm"}}
ESTIMATE = lambda w: {"items": [{"template": "cpu-vm", "values": CPU_VM_VALUES}]}  # noqa: E731
REASON = lambda w: {"reason": "no longer needed"}  # noqa: E731
DELEGATE = lambda w: {"to": "churn-mate", "starts_at": "2030-01-01T00:00:00Z",  # noqa: E731
                      "ends_at": "2030-01-08T00:00:00Z"}

OPERATIONS: dict[str, Operation] = {
    "GET /api/v1/me": op("read", "200"),
    # catalog: everyone logged in
    "GET /api/v1/catalog/templates": op("read", "200"),
    "GET /api/v1/catalog/templates/{slug}": op("read", "200", params=CPU_VM),
    "GET /api/v1/catalog/bundles": op("read", "200"),
    "GET /api/v1/catalog/bundles/{slug}": op("read", "200", params=BUNDLE),
    "POST /api/v1/catalog/estimate": op("read", "200", body=ESTIMATE),
    # requests: the owning team acts; a team you are not in is not found; a platform admin is refused by the service
    "GET /api/v1/requests": op("read", "200"),
    "POST /api/v1/requests": op("request", "404", owner="201", admin="403", body=NEW_VM,
                                headers={"Idempotency-Key": "matrix-1"}),
    "POST /api/v1/requests/validate": op("read", "404", owner="200", admin="403", body=NEW_VM),
    "GET /api/v1/requests/{id}": op("read", "404", owner="200", approver="200", admin="200", params=IN_REVIEW),
    "POST /api/v1/requests/{id}/withdraw": op("request", "404", owner="200", approver="403", admin="403",
                                              params=IN_REVIEW, body=EMPTY),
    "POST /api/v1/requests/{id}/retry": op("request", "404", owner="409", approver="403", admin="409",
                                           params=IN_REVIEW, body=EMPTY),
    "POST /api/v1/requests/{id}/cancel": op("request", "404", owner="409", approver="403", admin="409",
                                            params=IN_REVIEW, body=EMPTY),
    "POST /api/v1/requests/{id}/decommission": op("request", "404", owner="201", admin="201", params=ACTIVE,
                                                  body=REASON),
    # the world's VM does not expire: whoever may ask is told so (400); tests/api covers an extension made
    "POST /api/v1/resources/{id}/extend": op("request", "404", owner="400", admin="400", params=RESOURCE,
                                             body=lambda w: {"days": 30, "reason": "still training"}),
    "POST /api/v1/resources/{id}/modify": op("request", "404", owner="201", admin="201", params=RESOURCE,
                                             body=lambda w: {"values": {"instance_type": "t3.xlarge"},
                                                             "reason": "more memory"}),
    "POST /api/v1/teams/{slug}/offboard": op("request", "404", owner="201", admin="201", params=TEAM, body=REASON),
    # approvals: your own queue; deciding needs the approve scope and a stage you may decide
    "GET /api/v1/approvals": op("read", "200"),
    "POST /api/v1/approvals/{id}/decide": op("approve", "404", approver="200", owner="403", admin="403", params=STAGE,
                                             body=lambda w: {"decision": "approve"}),
    "GET /api/v1/delegations": op("read", "200"),
    "POST /api/v1/delegations": op("approve", "201", body=DELEGATE),  # anyone may hand on their own approvals
    "POST /api/v1/delegations/{id}/end": op("approve", "404", approver="200", admin="200",
                                            params=lambda w: {"id": w.delegation.pk}, body=EMPTY),
    # runs and what exists: whoever may see the request / the team
    "GET /api/v1/runs/{id}": op("read", "404", owner="200", approver="200", admin="200", params=RUN),
    "GET /api/v1/runs/{id}/log": op("read", "404", owner="200", approver="200", admin="200", params=RUN),
    "GET /api/v1/resources": op("read", "200"),
    # the approver sees a resource of a request they reviewed, as on that request's page
    "GET /api/v1/resources/{id}": op("read", "404", owner="200", approver="200", admin="200", params=RESOURCE),
    "GET /api/v1/teams/{slug}/quota": op("read", "404", owner="200", admin="200", params=TEAM),
    # audit: platform admins and auditors only
    "GET /api/v1/audit": op("admin", "403", admin="200", lacking_as="admin"),
    "GET /api/v1/audit/export": op("admin", "403", admin="200", lacking_as="admin"),
}


def schema_operations() -> set[str]:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return {f"{method.upper()} {path}" for path, methods in document["paths"].items()
            for method in methods if method in ("get", "put", "patch", "post", "delete")}


def test_every_operation_is_in_the_table():
    operations = schema_operations()
    assert operations - set(OPERATIONS) == set(), "API operations with no line in OPERATIONS"
    assert set(OPERATIONS) - operations == set(), "lines in OPERATIONS for operations the schema does not have"


def api_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every URL pattern under /api/v1/, as the schema writes its paths (``{name}`` for a parameter)."""
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            path = re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", route.lstrip("^").rstrip("$"))
            routes.append("/" + path.replace("{pk}", "{id}"))  # drf-spectacular names a pk "id"
    return routes


def test_every_api_url_is_documented():
    documented = {operation.split(" ", 1)[1] for operation in schema_operations()}
    assert set(api_routes()) - documented == set(), "URLs under /api/v1/ that the schema does not document"


@pytest.fixture
def callers(world) -> dict[str, Callable[[Operation], APIClient]]:
    """A client per caller; the lacking token is made for each operation (it depends on its scope)."""
    clients = {"anon": lambda operation: APIClient()}
    for caller, person in WORLD_PERSON.items():
        client = with_token(world.people[person], ALL_SCOPES, f"matrix {caller}")
        clients[caller] = lambda operation, client=client: client
    made: dict[tuple[str, str], APIClient] = {}

    def lacking(operation: Operation) -> APIClient:
        key = (operation.lacking_as, operation.scope)
        if key not in made:
            made[key] = with_token(world.people[WORLD_PERSON[operation.lacking_as]], ALL_SCOPES - {operation.scope},
                                   f"matrix lacking {operation.scope}")
        return made[key]

    clients["lacking"] = lacking
    return clients


def with_token(user, scopes, name: str) -> APIClient:
    _, text = create_token(user=user, name=name, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    return client


@pytest.mark.parametrize("key", list(OPERATIONS))
def test_api_authorization(world, callers, key):
    spec = OPERATIONS[key]
    method, template = key.split(" ", 1)
    path = template.format(**spec.params(world))
    wrong = []
    for caller, expected in spec.expected.items():
        client = callers[caller](spec)
        with transaction.atomic():  # each call starts from the same world
            before = state()
            kwargs = {"data": spec.query(world)} if method == "GET" else (
                {"data": spec.body(world), "format": "json"} if spec.body else {})
            extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (spec.headers or {}).items()}
            response = getattr(client, method.lower())(path, **kwargs, **extra)
            changed = state() != before
            transaction.set_rollback(True)
        got = str(response.status_code)
        if got != expected:
            wrong.append(f"{key} as {caller}: expected {expected}, got {got}")
        elif got in REFUSED and not response["Content-Type"].startswith("application/problem+json"):
            wrong.append(f"{key} as {caller}: {got} is not a problem document ({response['Content-Type']})")
        elif (got in REFUSED or method == "GET") and changed:
            wrong.append(f"{key} as {caller}: {got} but the database changed")
    assert not wrong, "\n".join(wrong)


def test_the_table_can_fail(world, callers):
    """The matrix would notice a wrong expectation (the check itself is not vacuous)."""
    wrong_line = op("read", "403")  # /me is open to every person with a token: 200, not 403
    response = callers["owner"](wrong_line).get("/api/v1/me")
    assert str(response.status_code) != wrong_line.expected["owner"]
    lacking = callers["lacking"](op("read", "200")).get("/api/v1/me")
    assert lacking.status_code == 403 and "read" in lacking.json()["detail"]

