"""The audit trail through the API: for platform admins and auditors (with an admin-scope token) only;
filters, cursor pages, and the whole filtered range as a CSV or JSON download."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group

from portal.audit.auditors import AUDITORS
from portal.audit.models import AuditEvent
from portal.audit.services import record_event

pytestmark = pytest.mark.django_db
JAN = "2026-01-01T00:00:00Z"
FEB = "2026-02-01T00:00:00Z"


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


@pytest.fixture
def auditor(make_user):
    user = make_user("auditor")
    user.groups.add(Group.objects.get(name=AUDITORS))
    return user


@pytest.fixture
def trail(demo):
    """Three events in January 2026 (every other event of a test is from today)."""
    team = demo.teams["churn-modelling"]

    def event(day, actor, verb, target, data):
        made = record_event(actor=actor, verb=verb, target=target, data=data)
        AuditEvent.objects.filter(pk=made.pk).update(created_at=at(day))
        return made.pk

    return type("Trail", (), {
        "submitted": event(1, demo.people["requester"], "team.note", team, {"why": "first"}),
        "approved": event(2, demo.people["approver"], "team.checked", team, {"comment": "fine, by us"}),
        "escalated": event(3, None, "stage.escalated", demo.people["approver"], {"to": ["admin"]}),
        "team": team,
    })


def results(client, query: str) -> list[dict]:
    answer = client.get(f"/api/v1/audit?{query}")
    assert answer.status_code == 200, answer.json()
    return answer.json()["results"]


def test_the_auditors_group_may_read_the_trail_and_write_nothing(db):
    group = Group.objects.get(name=AUDITORS)
    assert {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()} == {
        "audit.view_auditevent"}


def test_an_auditor_reads_the_trail_newest_first(demo, auditor, api_as, trail):
    rows = results(api_as(auditor, scopes=["admin"]), f"until={FEB}")
    assert [row["id"] for row in rows] == [trail.escalated, trail.approved, trail.submitted]
    escalated, approved = rows[0], rows[1]
    assert escalated == {"id": trail.escalated, "at": "2026-01-03T12:00:00Z", "actor": None,
                         "verb": "stage.escalated", "target_type": "accounts.user",
                         "target_id": str(demo.people["approver"].pk), "data": {"to": ["admin"]}}
    assert approved["actor"] == "approver" and approved["target_type"] == "teams.team"
    assert approved["target_id"] == str(trail.team.pk) and approved["data"] == {"comment": "fine, by us"}


@pytest.mark.parametrize(("query", "expected"), [
    ("verb=team.checked", ["approved"]),
    ("actor=requester", ["submitted"]),
    ("since=2026-01-02T00:00:00Z&until=2026-01-03T00:00:00Z", ["approved"]),
    ("since=2026-01-02", ["escalated", "approved"]),
    ("target_type=teams.team&target_id=TEAM", ["approved", "submitted"]),
    ("target_type=teams.team&verb=team.note", ["submitted"]),
    ("actor=nobody-at-all", []),
])
def test_the_trail_is_filtered(auditor, api_as, trail, query, expected):
    query = query.replace("TEAM", str(trail.team.pk))
    rows = results(api_as(auditor, scopes=["admin"]), f"{query}&until={FEB}" if "until" not in query else query)
    assert [row["id"] for row in rows] == [getattr(trail, name) for name in expected]


def test_the_trail_comes_in_cursor_pages(auditor, api_as, trail):
    client = api_as(auditor, scopes=["admin"])
    first = client.get(f"/api/v1/audit?until={FEB}&page_size=2").json()
    assert [row["id"] for row in first["results"]] == [trail.escalated, trail.approved]
    assert first["previous"] is None and first["next"]
    second = client.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [trail.submitted] and second["next"] is None


def test_a_platform_admin_reads_the_trail(demo, api_as, trail):
    assert len(results(api_as(demo.people["admin"], scopes=["admin"]), f"until={FEB}")) == 3


@pytest.mark.parametrize("path", ["/api/v1/audit", "/api/v1/audit/export?format=csv",
                                  "/api/v1/audit/export?format=json"])
def test_everyone_else_is_refused_even_with_an_admin_token(demo, api_as, trail, path):
    for person in ("requester", "approver"):
        answer = api_as(demo.people[person], scopes=["read", "request", "approve", "admin"]).get(path)
        assert answer.status_code == 403 and answer["Content-Type"] == "application/problem+json"
        assert answer.json()["detail"] == "Only platform admins and auditors can read the audit trail."


@pytest.mark.parametrize("path", ["/api/v1/audit", "/api/v1/audit/export?format=csv"])
def test_an_auditors_token_needs_the_admin_scope(auditor, api_as, path):
    answer = api_as(auditor, scopes=["read"]).get(path)
    assert answer.status_code == 403 and "admin" in answer.json()["detail"]


def download(answer) -> str:
    assert answer.status_code == 200
    return b"".join(answer.streaming_content).decode()


def test_the_csv_export_holds_the_whole_filtered_range_oldest_first(auditor, api_as, trail, make_user):
    sneaky = make_user("-sneaky")
    record_event(actor=sneaky, verb="team.note", target=trail.team, data={"n": 1})
    AuditEvent.objects.filter(actor=sneaky).update(created_at=at(4))
    client = api_as(auditor, scopes=["admin"])
    answer = client.get(f"/api/v1/audit/export?format=csv&since={JAN}&until={FEB}", HTTP_ACCEPT="text/csv")
    assert answer["Content-Type"].startswith("text/csv")
    assert answer["Content-Disposition"].startswith('attachment; filename="audit-')
    assert answer["Content-Disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(download(answer))))
    assert [row["id"] for row in rows[:3]] == [str(trail.submitted), str(trail.approved), str(trail.escalated)]
    approved = rows[1]
    assert (approved["at"], approved["actor"], approved["verb"], approved["target_type"]) == (
        "2026-01-02T12:00:00Z", "approver", "team.checked", "teams.team")
    assert json.loads(approved["data"]) == {"comment": "fine, by us"}
    assert rows[2]["actor"] == "" and rows[2]["target_id"] != ""
    assert rows[3]["actor"] == "'-sneaky"  # a spreadsheet shows it, never runs it as a formula
    assert len(rows) == 4


def test_the_json_export_is_a_list_of_the_filtered_events(auditor, api_as, trail):
    answer = api_as(auditor, scopes=["admin"]).get("/api/v1/audit/export?format=json&verb=team.checked")
    assert answer["Content-Type"] == "application/json"
    assert answer["Content-Disposition"].endswith('.json"')
    events = json.loads(download(answer))
    assert [(e["id"], e["actor"], e["data"]) for e in events] == [(trail.approved, "approver",
                                                                  {"comment": "fine, by us"})]


def test_the_export_is_csv_by_default_and_may_be_empty(auditor, api_as):
    answer = api_as(auditor, scopes=["admin"]).get("/api/v1/audit/export?actor=nobody-at-all")
    assert answer["Content-Type"].startswith("text/csv")
    assert download(answer).splitlines() == ["id,at,actor,verb,target_type,target_id,data"]


@pytest.mark.parametrize(("path", "pointer"), [
    ("/api/v1/audit?since=yesterday", "/since"),
    ("/api/v1/audit?until=2026-02-30", "/until"),
    ("/api/v1/audit?target_id=abc", "/target_id"),
    ("/api/v1/audit?target_id=99999999999999999999999", "/target_id"),
    ("/api/v1/audit?since=2026-02-01&until=2026-01-01", "/until"),
    ("/api/v1/audit/export?format=xml", "/format"),
    ("/api/v1/audit/export?format=csv&since=soon", "/since"),
])
def test_bad_audit_filters_are_400_problems(auditor, api_as, path, pointer):
    answer = api_as(auditor, scopes=["admin"]).get(path)
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert [e["pointer"] for e in answer.json()["errors"]] == [pointer]


def test_a_page_of_the_trail_reads_the_same_number_of_queries_for_few_or_many_actors(
        auditor, api_as, trail, make_user, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(auditor, scopes=["admin"])
    client.get(f"/api/v1/audit?until={FEB}")  # what is read once per process
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(f"/api/v1/audit?until={FEB}").json()["results"]) == 3
    for n in range(6):
        record_event(actor=make_user(f"person-{n}"), verb="team.note", target=trail.team, data={})
    AuditEvent.objects.filter(verb="team.note", actor__username__startswith="person-").update(created_at=at(5))
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = client.get(f"/api/v1/audit?until={FEB}").json()["results"]
    assert len(rows) == 9 and rows[0]["actor"].startswith("person-")


def test_the_view_permission_held_directly_makes_an_auditor_too(api_as, trail, make_user):
    from django.contrib.auth.models import Permission

    person = make_user("compliance")
    client = api_as(person, scopes=["admin"])
    assert client.get("/api/v1/audit").status_code == 403
    person.user_permissions.add(Permission.objects.get(content_type__app_label="audit", codename="view_auditevent"))
    assert len(results(api_as(person, scopes=["admin"]), f"until={FEB}")) == 3
