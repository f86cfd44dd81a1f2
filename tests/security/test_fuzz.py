"""Fuzz every form and every query / ``next`` parameter with hypothesis: whatever is sent, never a 500.

The field names of a form page are read from the page itself (every ``name="…"`` it renders), so a
field added later is fuzzed too; POST-only endpoints name theirs here. Each example runs in a
savepoint that is rolled back, so every example starts from the same world. Each example fuzzes
every endpoint once; the example count is small (``EXAMPLES``) and the examples are fixed
(derandomized), to keep the run short and repeatable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import World, team_product

EXAMPLES = 25
NASTY = ["", " ", "0", "-1", "1.5", "99999999999999999999999", "9223372036854775808", "1e309", "NaN", "null",
         "true", "[]", "{}", "\x00", "a\x00b", "\r\nX-Injected: 1", "%00", "../../etc/passwd", "<script>x</script>",
         "' OR 1=1 --", "${jndi:x}", "{{ 7*7 }}", "foo", "approvals:queue", "//evil.example/", "https://evil.example/",
         "/\\evil.example", "javascript:alert(1)", "/requests/", "/%0d%0aSet-Cookie:x=1", "2024-13-45T25:61",
         "2024-01-01T00:00", "x" * 5000, "é" * 300, "\ud7ff\ue000", "approve", "reject", "cpu-vm", "v:1", "i1:2"]
VALUE = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str))
VALUES = st.one_of(VALUE, st.lists(VALUE, min_size=0, max_size=3))
NAME = re.compile(r'\bname="([^"]+)"')
NEVER_FIELDS = {"csrfmiddlewaretoken"}


@dataclass
class Endpoint:
    role: str
    method: str
    url: Callable[[World], str]
    fields: tuple[str, ...] = ()  # beside those the page at ``page`` renders
    page: Callable[[World], str] | None = None  # a GET page whose fields (names) are fuzzed


def at(name: str, **kwargs):
    return lambda w: reverse(name, kwargs={key: value(w) if callable(value) else value
                                           for key, value in kwargs.items()})


REQUEST, DRAFT, ACTIVE = (lambda w: w.in_review.pk), (lambda w: w.draft.pk), (lambda w: w.active.pk)
RESOURCE, TEAM = (lambda w: w.resource.pk), (lambda w: w.team.slug)
NEW_VM = at("onboarding:new", slug="cpu-vm")
PRODUCT = lambda w: team_product(w).pk  # noqa: E731


def form_page(role, name, **kwargs) -> Endpoint:
    url = at(name, **kwargs)
    return Endpoint(role, "post", url, ("next",), page=url)


ENDPOINTS = {
    # forms (the page's own fields, plus a next)
    "login": form_page("anon", "login"),
    "new request": form_page("owner", "onboarding:new", slug="cpu-vm"),
    "new bundle request": form_page("owner", "onboarding:new_bundle", slug=lambda w: w.bundle.slug),
    "draft": form_page("owner", "onboarding:draft", pk=DRAFT),
    "edit": form_page("owner", "onboarding:edit", pk=REQUEST),
    "decommission request": form_page("owner", "onboarding:decommission_request", pk=ACTIVE),
    "decommission resource": form_page("owner", "onboarding:decommission_resource", pk=RESOURCE),
    "extend": form_page("owner", "onboarding:extend_resource", pk=RESOURCE),
    "modify": form_page("owner", "onboarding:modify_resource", pk=RESOURCE),
    "offboard": form_page("owner", "onboarding:offboard_team", slug=TEAM),
    "delegations": form_page("mlops", "approvals:delegations"),
    "new token": form_page("owner", "accounts:tokens"),
    # POST-only endpoints behind buttons and htmx
    "estimate": Endpoint("owner", "post", at("catalog:estimate"), ("section",), page=NEW_VM),
    "check field": Endpoint("owner", "post", at("onboarding:check_field"), ("_field", "section"), page=NEW_VM),
    "decide": Endpoint("mlops", "post", at("approvals:decide", pk=lambda w: w.stage.pk),
                       ("outcome", "comment", "next")),
    "bulk approve": Endpoint("mlops", "post", at("approvals:bulk"), ("stages", "comment", "next")),
    "revoke token": Endpoint("owner", "post", at("accounts:revoke_token", pk=lambda w: w.token.pk), ("next",)),
    "end delegation": Endpoint("mlops", "post", at("approvals:end_delegation", pk=lambda w: w.delegation.pk),
                               ("next",)),
    "drift": Endpoint("owner", "post", at("inventory:drift", pk=RESOURCE, action="accept"), ("next",)),
    "upgrade repo": Endpoint("owner", "post", at("teams:upgrade_repo", slug=TEAM, pk=lambda w: w.repo.pk), ("next",)),
    "withdraw": Endpoint("owner", "post", at("onboarding:withdraw", pk=REQUEST), ("next",)),
    "review": Endpoint("owner", "post", at("onboarding:review", pk=DRAFT), ("next", "action")),
    # migrations
    "new product": form_page("owner", "migration:product_new", slug=TEAM),
    "import products": Endpoint("owner", "post", at("migration:product_import", slug=TEAM), ("file", "next")),
    "plan": form_page("mlops", "migration:plan"),
    "pilots": Endpoint("mlops", "get", at("migration:plan"), ("count", "page")),
    "assign pilots": Endpoint("mlops", "post", at("migration:assign_pilots"), ("wave", "products")),
    **{f"product {name}": Endpoint("owner", "post", at(f"migration:{name}", pk=PRODUCT), fields)
       for name, fields in (("triage_confirm", ("chosen_r", "justification")),
                            ("decommission_update", ("owner_sign_off", "retention", "retain_until",
                                                     "consumers_notified", "complete")),
                            ("tolerances", ("key_column", "max_row_count_difference_pct", "max_numeric_difference",
                                            "min_label_agreement_pct")),
                            ("cycle", ("old_output", "new_output")), ("wave", ("wave",)))},
    "products list": Endpoint("owner", "get", at("migration:products"), ("team", "status", "r", "q", "page")),
    "migration dashboard": Endpoint("owner", "get", at("migration:dashboard"), ("team", "page")),
    "playbook": Endpoint("owner", "get", at("migration:playbook"), ("q", "r", "kind", "page")),
    # query parameters
    "queue filters": Endpoint("mlops", "get", at("approvals:queue"),
                              ("team", "risk", "overdue", "sort", "page", "next")),
    "login next": Endpoint("anon", "get", at("login"), ("next",)),
    "request page": Endpoint("owner", "get", at("onboarding:detail", pk=REQUEST), ("next", "page")),
    "dashboard": Endpoint("owner", "get", at("teams:dashboard", slug=TEAM), ("next", "page", "in_flight_page")),
    "my requests": Endpoint("owner", "get", at("onboarding:list"), ("page", "drafts_page")),
    "my tokens": Endpoint("owner", "get", at("accounts:tokens"), ("page",)),
    "my delegations": Endpoint("mlops", "get", at("approvals:delegations"), ("page",)),
}


def field_names(client: Client, endpoint: Endpoint, world: World) -> list[str]:
    names = set(endpoint.fields)
    if endpoint.page is not None:
        page = client.get(endpoint.page(world))
        assert page.status_code == 200, f"{endpoint.page(world)} answered {page.status_code}"
        names |= set(NAME.findall(page.content.decode())) - NEVER_FIELDS
    return sorted(names)


@pytest.fixture
def forms(world) -> dict[str, tuple[Client, list[str]]]:
    """Per endpoint: a client logged in as its role, and the field names to fuzz."""
    clients: dict[str, Client] = {}
    for role in {endpoint.role for endpoint in ENDPOINTS.values()}:
        clients[role] = Client()
        if role != "anon":
            clients[role].force_login(world.people[role])
    return {key: (clients[e.role], field_names(clients[e.role], e, world)) for key, e in ENDPOINTS.items()}


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_never_a_server_error(world, forms, data):
    """Each example sends one fuzzed form to every endpoint (an unhandled error is raised by the client)."""
    for key, endpoint in ENDPOINTS.items():
        client, names = forms[key]
        form = data.draw(st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names)), label=key)
        url = endpoint.url(world)
        with transaction.atomic():  # every example starts from the same world
            response = getattr(client, endpoint.method)(url, form)
            transaction.set_rollback(True)
        assert response.status_code < 500, f"{endpoint.method.upper()} {url} {form!r}: {response.status_code}"
        if response.status_code == 302:
            assert response.url.startswith("/") and not response.url.startswith("//"), response.url
