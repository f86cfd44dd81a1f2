"""Runs through the API: for whoever may see the run's request; the log in pages of numbered lines;
sensitive values never shown."""

from __future__ import annotations

import pytest

from portal.core.secrets import seal
from portal.teams.models import Team
from provisioning.models import Run, RunLogLine
from tests.fixtures.people import CPU_VM_VALUES
from tests.fixtures.runs import make_run

pytestmark = pytest.mark.django_db
SECRET = "hunter2-very-secret"


@pytest.fixture
def run(demo, approved_request):
    """A running apply of the demo team's VM with a sealed variable and five log lines."""
    request = approved_request([(demo.versions["cpu-vm"], CPU_VM_VALUES)])
    run = make_run(item=request.items.get(), action="apply", status="running")
    Run.objects.filter(pk=run.pk).update(variables={**run.variables, "admin_password": seal(SECRET),
                                                    "nested": {"token": seal(SECRET)}})
    RunLogLine.objects.bulk_create([RunLogLine(run=run, seq=n, text=f"line {n}") for n in range(1, 6)])
    run.refresh_from_db()
    return run


@pytest.fixture
def outsider(make_user):
    team = Team.objects.create(slug="fraud-detection", name="Fraud detection", kind=Team.Kind.MODELLING)
    return make_user("fraud-analyst", team=team)


def test_a_run_shows_what_it_was_asked_with_sensitive_values_masked(demo, api_as, run):
    answer = api_as(demo.people["requester"], scopes=["read"]).get(f"/api/v1/runs/{run.pk}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == run.pk and body["request"] == run.item.request_id and body["item"] == run.item_id
    assert (body["action"], body["status"], body["attempt"]) == ("apply", "running", 1)
    assert body["finished_at"] is None and body["error"] == ""
    assert body["variables"]["admin_password"] == "(sensitive)" and body["variables"]["nested"] == {
        "token": "(sensitive)"}
    assert body["variables"]["name"] == CPU_VM_VALUES["name"]
    assert SECRET not in answer.content.decode()
    assert run.variables["admin_password"]["sealed"] not in answer.content.decode()


def test_another_teams_run_is_a_404_like_a_missing_one(api_as, run, outsider):
    client = api_as(outsider)
    for path in (f"/api/v1/runs/{run.pk}", f"/api/v1/runs/{run.pk}/log"):
        hidden, missing = client.get(path), client.get(path.replace(str(run.pk), "987654"))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()


def test_a_platform_admin_sees_every_run(demo, api_as, run):
    assert api_as(demo.people["admin"]).get(f"/api/v1/runs/{run.pk}").status_code == 200


def test_the_log_comes_in_numbered_lines_after_the_last_one_the_client_has(demo, api_as, run):
    client = api_as(demo.people["requester"], scopes=["read"])
    first = client.get(f"/api/v1/runs/{run.pk}/log").json()
    assert first["run"] == run.pk and first["status"] == "running" and first["finished"] is False
    assert first["lines"] == [{"number": n, "text": f"line {n}"} for n in range(1, 6)]
    assert first["next_after"] == 5

    later = client.get(f"/api/v1/runs/{run.pk}/log?after=3").json()
    assert [line["number"] for line in later["lines"]] == [4, 5] and later["next_after"] == 5

    nothing_new = client.get(f"/api/v1/runs/{run.pk}/log?after=5").json()
    assert nothing_new["lines"] == [] and nothing_new["next_after"] == 5 and nothing_new["finished"] is False

    RunLogLine.objects.create(run=run, seq=6, text="Apply complete!")
    Run.objects.filter(pk=run.pk).update(status="succeeded")
    last = client.get(f"/api/v1/runs/{run.pk}/log?after=5").json()
    assert last["lines"] == [{"number": 6, "text": "Apply complete!"}]
    assert last["status"] == "succeeded" and last["finished"] is True and last["next_after"] == 6


def test_a_finished_run_with_more_lines_than_one_answer_is_not_finished_until_the_last(
        demo, api_as, run, monkeypatch):
    monkeypatch.setattr("portal.api.views.runs.LOG_LINES_PER_ANSWER", 2)
    Run.objects.filter(pk=run.pk).update(status="failed")
    client = api_as(demo.people["requester"])
    seen, after, finished = [], 0, False
    while not finished:
        page = client.get(f"/api/v1/runs/{run.pk}/log?after={after}").json()
        assert len(page["lines"]) <= 2
        seen += [line["number"] for line in page["lines"]]
        after, finished = page["next_after"], page["finished"]
    assert seen == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("after", ["x", "-1", "1.5", "99999999999999999999"])
def test_a_bad_after_is_a_400_problem(demo, api_as, run, after):
    answer = api_as(demo.people["requester"]).get(f"/api/v1/runs/{run.pk}/log?after={after}")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert [e["pointer"] for e in answer.json()["errors"]] == ["/after"]


def test_a_token_without_the_read_scope_reads_no_run(demo, api_as, run):
    answer = api_as(demo.people["requester"], scopes=["request"]).get(f"/api/v1/runs/{run.pk}")
    assert answer.status_code == 403 and "read" in answer.json()["detail"]
