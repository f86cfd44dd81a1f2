"""Every URL pattern of ours × every role × GET and POST, against ONE table of expected outcomes.

Outcomes: a status code ("200", "400", "403", "404", "405"); "login" (a redirect to the login page);
"302" (the action ran and the page sends the person on); "refused" (a redirect back with a refusal
message). A refusal ("login", "403", "404", "405", "refused") must change nothing in the database.
POSTs carry no form data except where a row says otherwise, so an allowed action mostly answers
with its form again (400) or a message; nothing needs a worker (tasks are queued on commit, and each
call is rolled back). A URL pattern missing from the table fails ``test_every_url_pattern_is_in_the_table``.
The API's operations (URLs under /api/v1/) have their own table, from the OpenAPI document: test_api_matrix.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import ROLES, World, state, team_dataset, team_product, team_review

REFUSED = {"login", "403", "404", "405", "refused"}
API_OPERATIONS = "api/v1/"  # URL patterns under it are the API's operations: test_api_matrix.py


def row(default: str, anon: str = "login", **by_role: str) -> dict[str, str]:
    """The outcome for every role: ``by_role`` where given, ``anon`` for anonymous, else ``default``."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"no such role: {unknown}"
    return {role: by_role.get(role, anon if role == "anon" else default) for role in ROLES}


@dataclass
class Row:
    get: dict[str, str]
    post: dict[str, str]
    kwargs: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], dict] = field(default=lambda w: {})


REQUEST = lambda w: {"pk": w.in_review.pk}  # noqa: E731 — team A's request in review
DRAFT = lambda w: {"pk": w.draft.pk}  # noqa: E731
RESOURCE = lambda w: {"pk": w.resource.pk}  # noqa: E731 — team A's active VM
TEAM = lambda w: {"slug": w.team.slug}  # noqa: E731
# Who sees team A's request in review: its team, the steering teams with a stage, platform admins.
SEES = {"owner": "200", "mate": "200", "mlops": "200", "infosec": "200", "admin": "200"}
# Who acts for team A (dashboard, changes of what it owns): its members and platform admins.
TEAM_PAGE = {"owner": "200", "mate": "200", "admin": "200"}
TEAM_FORM = {"owner": "400", "mate": "400", "admin": "400"}  # allowed; the empty form comes back
TEAM_ACTION = {"owner": "302", "mate": "302", "admin": "302"}
SEES_NOT_OPERATE = {"mlops": "403", "infosec": "403"}  # approvers see the request but do not operate it

# Migrations: team A's data products — its members and platform admins see and change them; MLOps enablement
# (the migration programme) sees every team's but changes none; anyone else: 404.
PRODUCT = lambda w: {"pk": team_product(w).pk}  # noqa: E731
PRODUCT_SEES = {**TEAM_PAGE, "mlops": "200"}
PRODUCT_ACTION = {**TEAM_ACTION, "mlops": "403"}
LEADS = {"mlops": "200", "admin": "200"}
MIGRATION: dict[str, Row] = {
    "migration:dashboard": Row(get=row("200"), post=row("405")),
    "migration:plan": Row(get=row("403", **LEADS), post=row("403", **LEADS)),
    "migration:assign_pilots": Row(get=row("405"), post=row("403", mlops="302", admin="302")),
    "migration:playbook": Row(get=row("200"), post=row("405")),
    "migration:products": Row(get=row("200"), post=row("405")),
    "migration:import_template_csv": Row(get=row("200"), post=row("405")),
    "migration:import_template_xlsx": Row(get=row("200"), post=row("405")),
    "migration:product_new": Row(get=row("404", **TEAM_PAGE), post=row("404", **TEAM_FORM), kwargs=TEAM),
    "migration:product_import": Row(get=row("404", **TEAM_PAGE), post=row("404", **TEAM_FORM), kwargs=TEAM),
    "migration:product": Row(get=row("404", **PRODUCT_SEES), post=row("405"), kwargs=PRODUCT),
    "migration:product_edit": Row(get=row("404", **TEAM_PAGE, mlops="403"), post=row("404", **TEAM_FORM, mlops="403"),
                                  kwargs=PRODUCT),
    **{f"migration:{name}": Row(get=row("405"), post=row("404", **PRODUCT_ACTION), kwargs=PRODUCT)
       for name in ("triage_propose", "triage_confirm", "environment", "decommission_open", "decommission_update",
                    "retain", "tolerances", "cycle", "retire_original")},
    "migration:lesson": Row(get=row("405"), post=row("404", **TEAM_ACTION, mlops="302"), kwargs=PRODUCT),
    "migration:wave": Row(get=row("405"), post=row("404", **TEAM_ACTION, mlops="302"), kwargs=PRODUCT),
}

# Datasets: everyone finds them; team A's leads and platform admins register them (no lead in this world: the
# team's members get a 403, other people a 404); a restricted dataset's page shows its details to team A and
# admins only (the others get a 403 page with its name and owner); members of another modelling team ask for
# access to it.
DATASET = lambda w: {"pk": team_dataset(w).pk}  # noqa: E731
REVIEW = lambda w: {"pk": team_review(w).pk}  # noqa: E731
REVIEW_ENTRY = lambda w: {"pk": team_review(w).pk, "entry_pk": team_review(w).entries.get().pk}  # noqa: E731
DATASETS: dict[str, Row] = {
    "datasets:catalogue": Row(get=row("200"), post=row("405")),
    "datasets:register": Row(get=row("404", owner="403", mate="403", admin="200"),
                             post=row("404", owner="403", mate="403", admin="400"), kwargs=TEAM),
    "datasets:dataset": Row(get=row("403", **TEAM_PAGE), post=row("405"), kwargs=DATASET),
    # Asking for access: members of another modelling team (team B; the empty form comes back).
    "datasets:ask_access": Row(get=row("405"), post=row("403", other="400"), kwargs=DATASET),
    # Changing its class or retention: its data owner (team A's requester) asks; the rest of team A and admins 403.
    "datasets:change_lifecycle": Row(get=row("405"), post=row("404", owner="400", mate="403", admin="403"),
                                     kwargs=DATASET),
    # An access review: the owning team and admins see it; only the data owner (team A's requester) decides.
    "datasets:review": Row(get=row("404", **TEAM_PAGE), post=row("405"), kwargs=REVIEW),
    "datasets:review_csv": Row(get=row("404", **TEAM_PAGE), post=row("405"), kwargs=REVIEW),
    "datasets:decide_entry": Row(get=row("405"), post=row("404", owner="400", mate="403", admin="403"),
                                 kwargs=REVIEW_ENTRY),
}

MATRIX: dict[str, Row] = {
    "home": Row(get=row("302"), post=row("405")),
    "login": Row(get=row("200", anon="200"), post=row("200", anon="200")),
    "logout": Row(get=row("405", anon="405"), post=row("302", anon="302")),
    # Single sign-on is off in these tests (PORTAL_OIDC_ISSUER unset): its pages do not exist.
    "sso_start": Row(get=row("404", anon="404"), post=row("405", anon="405")),
    "sso_callback": Row(get=row("404", anon="404"), post=row("405", anon="405")),
    "accounts:tokens": Row(get=row("200"), post=row("400")),  # the empty form comes back
    "accounts:revoke_token": Row(get=row("405"), post=row("404", owner="302"), kwargs=lambda w: {"pk": w.token.pk}),
    "catalog:index": Row(get=row("200"), post=row("405")),
    "catalog:estimate": Row(get=row("405"), post=row("200")),
    "onboarding:list": Row(get=row("200"), post=row("405")),
    "onboarding:new": Row(get=row("200"), post=row("400"), kwargs=lambda w: {"slug": "cpu-vm"}),
    "onboarding:new_bundle": Row(get=row("200"), post=row("400"), kwargs=lambda w: {"slug": w.bundle.slug}),
    "onboarding:check_field": Row(get=row("405"), post=row("200")),
    "onboarding:detail": Row(get=row("404", **SEES), post=row("405"), kwargs=REQUEST),
    "onboarding:progress": Row(get=row("404", **SEES), post=row("405"), kwargs=REQUEST),
    "onboarding:cancel": Row(get=row("405"), post=row("404", **TEAM_ACTION, **SEES_NOT_OPERATE), kwargs=REQUEST),
    "onboarding:retry": Row(get=row("405"), post=row("404", **TEAM_ACTION, **SEES_NOT_OPERATE), kwargs=REQUEST),
    "onboarding:withdraw": Row(get=row("405"), kwargs=REQUEST,
                               post=row("404", owner="302", mate="403", admin="403", **SEES_NOT_OPERATE)),
    "onboarding:edit": Row(get=row("404", owner="200", mate="403", admin="403", **SEES_NOT_OPERATE),
                           post=row("404", owner="400", mate="403", admin="403", **SEES_NOT_OPERATE), kwargs=REQUEST),
    "onboarding:draft": Row(get=row("404", owner="200"), post=row("404", owner="400"), kwargs=DRAFT),
    "onboarding:review": Row(get=row("404", owner="200"), post=row("404", owner="302"), kwargs=DRAFT),
    "onboarding:discard": Row(get=row("405"), post=row("404", owner="302"), kwargs=DRAFT),
    "onboarding:decommission_request": Row(get=row("404", **TEAM_PAGE), post=row("404", **TEAM_FORM),
                                           kwargs=lambda w: {"pk": w.active.pk}),
    "onboarding:decommission_resource": Row(get=row("404", **TEAM_PAGE), post=row("404", **TEAM_FORM),
                                            kwargs=RESOURCE),
    "onboarding:extend_resource": Row(get=row("404", **TEAM_PAGE), post=row("404", **TEAM_FORM), kwargs=RESOURCE),
    "onboarding:modify_resource": Row(get=row("404", **TEAM_PAGE), post=row("404", **TEAM_FORM), kwargs=RESOURCE),
    "onboarding:offboard_team": Row(get=row("404", **TEAM_PAGE), post=row("404", **TEAM_FORM), kwargs=TEAM),
    "approvals:queue": Row(get=row("200"), post=row("405")),
    "approvals:decide": Row(get=row("405"), post=row("404", mlops="302", infosec="403", owner="403", mate="403",
                                                     admin="403"),
                            kwargs=lambda w: {"pk": w.stage.pk}, data=lambda w: {"outcome": "approve"}),
    "approvals:bulk": Row(get=row("405"), post=row("refused", mlops="302"),
                          data=lambda w: {"stages": [w.stage.pk]}),
    "approvals:delegations": Row(get=row("200"), post=row("400")),
    "approvals:end_delegation": Row(get=row("405"), post=row("404", mlops="302", mate="302", admin="302"),
                                    kwargs=lambda w: {"pk": w.delegation.pk}),
    "inventory:drift": Row(get=row("405"), post=row("404", **TEAM_ACTION, **SEES_NOT_OPERATE),
                           kwargs=lambda w: {"pk": w.resource.pk, "action": "accept"}),
    "teams:dashboard": Row(get=row("404", **TEAM_PAGE), post=row("405"), kwargs=TEAM),
    # The API's document and its two readers: public (they show no data); a POST is not allowed.
    "api:schema": Row(get=row("200", anon="200"), post=row("405", anon="405")),
    "api:docs": Row(get=row("200", anon="200"), post=row("405", anon="405")),
    "api:redoc": Row(get=row("200", anon="200"), post=row("405", anon="405")),
    # Notifications: everyone has their own list and choices; a team's webhooks are read by its members
    # and changed by its leads and platform admins (no lead in this world).
    "notifications:inbox": Row(get=row("200"), post=row("405")),
    "notifications:read": Row(get=row("405"), post=row("302")),
    "notifications:preferences": Row(get=row("200"), post=row("400")),  # the empty form comes back
    "notifications:webhooks": Row(get=row("404", **TEAM_PAGE), post=row("404", admin="400"), kwargs=TEAM),
    "notifications:delete_webhook": Row(get=row("405"), post=row("404", admin="302"),
                                        kwargs=lambda w: {"slug": w.team.slug, "pk": w.webhook.pk}),
    # A machine's use page and its actions: the owning team and platform admins (an empty keep form is a 400).
    "utilization:machine": Row(get=row("404", **TEAM_PAGE), post=row("405"), kwargs=RESOURCE),
    "utilization:act": Row(get=row("405"), post=row("404", **{r: "400" for r in TEAM_PAGE}),
                           kwargs=lambda w: {"pk": w.resource.pk, "action": "keep"}),
    "teams:upgrade_repo": Row(get=row("405"), post=row("404", **TEAM_ACTION),
                              kwargs=lambda w: {"slug": w.team.slug, "pk": w.repo.pk}),
    **MIGRATION,
    **DATASETS,
}


def our_url_names(patterns=None, namespace: str = "", prefix: str = "") -> list[str]:
    """Every named URL pattern of the project, Django's admin left out (it has its own door), and the
    API's operations too (under /api/v1/: test_api_matrix.py)."""
    names = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(API_OPERATIONS):
            continue
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += our_url_names(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>")
    return names


def test_every_url_pattern_is_in_the_table():
    names = our_url_names()
    assert len(names) == len(set(names))
    assert set(names) - set(MATRIX) == set(), "URL patterns with no row in MATRIX"
    assert set(MATRIX) - set(names) == set(), "rows in MATRIX for URL patterns that do not exist"


def outcome(response) -> str:
    if response.status_code == 302:
        return "login" if response.url.startswith(reverse("login") + "?next=") else "302"
    return str(response.status_code)


@pytest.mark.parametrize("name", list(MATRIX))
def test_authorization(world, name):
    spec = MATRIX[name]
    url = reverse(name, kwargs=spec.kwargs(world))
    wrong = []
    for method, expected_by_role in (("get", spec.get), ("post", spec.post)):
        for role, expected in expected_by_role.items():
            client = Client()
            with transaction.atomic():  # each call starts from the same world
                if role != "anon":
                    client.force_login(world.people[role])
                before = state()
                response = client.get(url) if method == "get" else client.post(url, spec.data(world))
                got = outcome(response)
                if got == "302" and expected == "refused":
                    got = "refused"
                changed = state() != before
                transaction.set_rollback(True)
            if got != expected:
                wrong.append(f"{method.upper()} {url} as {role}: expected {expected}, got {got}")
            elif (expected in REFUSED or method == "get") and changed:
                wrong.append(f"{method.upper()} {url} as {role}: {got} but the database changed")
    assert not wrong, "\n".join(wrong)
