"""Personal access tokens authenticate API calls, narrowed to their scopes; every refusal is a problem."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from portal.accounts.models import PersonalAccessToken
from portal.accounts.tokens import create_token, revoke_token
from portal.audit.models import AuditEvent
from portal.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_a_token_acts_as_its_owner_and_each_use_is_audited_with_its_name(demo, api_as):
    client = api_as(demo.people["requester"], scopes=["read"], name="nightly gpu job")
    answer = client.get("/api/v1/me")
    assert answer.status_code == 200
    body = answer.json()
    assert body["username"] == "requester" and body["token"] == "nightly gpu job" and body["scopes"] == ["read"]
    assert [team["slug"] for team in body["teams"]] == ["churn-modelling"]
    used = AuditEvent.objects.filter(verb="token.used").last()
    assert used.actor == demo.people["requester"] and used.data["name"] == "nightly gpu job"
    assert used.data["path"] == "/api/v1/me"


def test_the_secret_is_stored_only_as_a_hash(demo):
    token, text = create_token(user=demo.people["requester"], name="ci", scopes=["read"])
    stored = PersonalAccessToken.objects.get(pk=token.pk)
    assert text not in (stored.digest, stored.prefix) and text.startswith(f"pat_{stored.prefix}_")
    assert not AuditEvent.objects.filter(data__icontains=text.split("_")[-1]).exists()


@pytest.mark.parametrize("header", ["Bearer pat_nothere_xyz", "Bearer something", "Bearer a b"])
def test_an_unknown_token_is_a_401_problem(demo, header):
    client = APIClient()
    answer = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert answer.json()["status"] == 401 and answer.json()["detail"]


def test_no_credentials_is_a_401_problem(db):
    answer = APIClient().get("/api/v1/me")
    assert answer.status_code == 401 and answer["Content-Type"] == "application/problem+json"


def test_revoked_and_expired_tokens_stop_working(demo):
    token, text = create_token(user=demo.people["requester"], name="short", scopes=["read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert client.get("/api/v1/me").status_code == 200
    revoke_token(token=token, actor=demo.people["requester"])
    assert client.get("/api/v1/me").status_code == 401
    other, text = create_token(user=demo.people["requester"], name="old", scopes=["read"])
    PersonalAccessToken.objects.filter(pk=other.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert client.get("/api/v1/me").status_code == 401


def test_nobody_revokes_another_persons_token(demo):
    token, _ = create_token(user=demo.people["requester"], name="mine", scopes=["read"])
    with pytest.raises(ApplicationError):
        revoke_token(token=token, actor=demo.people["approver"])
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"name": "", "scopes": ["read"]}, "name"),
    ({"name": "x", "scopes": []}, "scopes"),
    ({"name": "x", "scopes": ["root"]}, "scopes"),
    ({"name": "x", "scopes": ["read"], "days": 0}, "days"),
    ({"name": "x", "scopes": ["read"], "days": 400}, "days"),
])
def test_token_choices_are_checked_with_the_field_named(demo, kwargs, field):
    with pytest.raises(ApplicationError) as refused:
        create_token(user=demo.people["requester"], **kwargs)
    assert refused.value.field == field


def test_a_token_is_throttled_per_token(demo, monkeypatch):
    from django.core.cache import cache

    from portal.api.throttling import PerTokenThrottle

    cache.clear()
    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {"token": "3/min", "session": "3/min",
                                                             "anonymous": "3/min"})
    _, text = create_token(user=demo.people["requester"], name="busy", scopes=["read"])
    busy = APIClient()
    busy.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert [busy.get("/api/v1/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = busy.get("/api/v1/me")
    assert refused["Content-Type"] == "application/problem+json" and int(refused["Retry-After"]) > 0
    _, other = create_token(user=demo.people["requester"], name="calm", scopes=["read"])
    calm = APIClient()
    calm.credentials(HTTP_AUTHORIZATION=f"Bearer {other}")
    assert calm.get("/api/v1/me").status_code == 200
    cache.clear()


def test_the_schema_and_its_docs_are_served_by_the_portal(db, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and "/api/v1/me" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"cdn." not in docs.content and b"unpkg" not in docs.content


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/requests/-1", "/api/v1/catalog/templates/a%20b"])
def test_an_api_path_that_matches_nothing_is_a_problem_too(demo, api_as, path):
    answer = api_as(demo.people["requester"], scopes=["read"]).get(path)
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json" and answer.json()["status"] == 404


def test_a_page_that_matches_nothing_stays_a_page(db, client):
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("text/html")
