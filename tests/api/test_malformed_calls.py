"""Calls that are wrong in themselves: whatever a client sends as its token, the answer is a 401 problem —
never a server error (a NUL byte in the header used to reach PostgreSQL and fail there); a method an
operation does not have is a 405 for every token (a narrow token used to be told 403 about a scope)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from portal.accounts.tokens import create_token

pytestmark = pytest.mark.django_db
ASCII = st.text(st.characters(min_codepoint=0, max_codepoint=127), max_size=80)


@pytest.mark.parametrize("text", ["pat_a\x00b_c", "pat_abcd1234_\x00", "pat_" + "a" * 5000 + "_x", "pat__x",
                                  "pat_ABCD1234_x", "pat_abcd1234_", "pat_abcd1234_x y", "pat_é_x"])
def test_a_malformed_token_is_a_401(db, text):
    answer = APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert answer.status_code == 401 and answer["Content-Type"] == "application/problem+json"


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(ASCII, ASCII.map(lambda tail: f"pat_{tail}"), ASCII.map(lambda tail: f"pat_0a1b2c3d_{tail}")))
def test_any_token_text_is_answered_without_a_server_error(db, text):
    answer = APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert answer.status_code in (200, 401), (text, answer.status_code)


def test_a_real_token_still_works(demo):
    _, text = create_token(user=demo.people["requester"], name="shape", scopes=["read"])
    answer = APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert answer.status_code == 200 and answer.json()["token"] == "shape"


@pytest.mark.parametrize("scopes", [["read"], ["read", "request", "approve", "admin"]])
def test_a_method_an_operation_does_not_have_is_a_405_whatever_the_scopes(demo, api_as, scopes):
    answer = api_as(demo.people["requester"], scopes=scopes).post("/api/v1/me", {}, format="json")
    assert answer.status_code == 405 and answer["Content-Type"] == "application/problem+json"
    assert "GET" in answer["Allow"]
