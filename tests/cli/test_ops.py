"""Approvals, watching a request, resources, decommissioning and the audit export through the `portal`
command, against the real portal (endpoints of issue 14, branches api-requests and api-ops). Runs are
carried out in this process by the test engine (tests/fixtures/runs.py): no cloud is needed here; the
end-to-end test (tests/e2e/test_cli_flow.py) does the same with Terraform and a real worker."""

from __future__ import annotations

import csv
import io
import json
import time
from types import SimpleNamespace

import pytest

from portal.onboarding.models import OnboardingRequest
from tests.fixtures.cli import token_of
from tests.fixtures.people import CPU_VM_VALUES, REVIEW_DETAILS

pytestmark = pytest.mark.django_db(transaction=True)
REVIEW = {**REVIEW_DETAILS, "expected_duration_days": 90}


@pytest.fixture
def people(mlops_only):
    return SimpleNamespace(
        requester=token_of(mlops_only.people["requester"], scopes=["read", "request"]),
        approver=token_of(mlops_only.people["approver"], scopes=["read", "approve"]),
        admin=token_of(mlops_only.people["admin"], scopes=["read", "admin"]),
    )


@pytest.fixture
def in_review(mlops_only, fake_engine, inline_tasks):
    """A CPU VM request of `requester` waiting for the MLOps enablement stage (its plan preview done)."""
    from portal.onboarding.services.requests import submit_new_request

    made = submit_new_request(actor=mlops_only.people["requester"], team=mlops_only.teams["churn-modelling"],
                              title="Churn VM", items=[(mlops_only.versions["cpu-vm"], dict(CPU_VM_VALUES))],
                              details=REVIEW)
    inline_tasks.drain()
    return made


def stage_of(request):
    return request.stages.get()


def test_approvals_lists_what_waits_for_the_approver_only(cli, people, in_review):
    listed = cli("approvals", token=people.approver)
    rows = cli.json("approvals", token=people.approver)
    nothing = cli("approvals", token=people.requester)

    assert listed.exit_code == 0, listed.output
    line = next(line for line in listed.stdout.splitlines() if "Churn VM" in line)
    assert str(stage_of(in_review).pk) in line and "mlops-enablement" in line and "churn-modelling" in line
    assert [row["id"] for row in rows] == [stage_of(in_review).pk]
    assert nothing.exit_code == 0 and "Nothing waits for your decision." in nothing.stdout


def test_the_requester_may_not_approve_and_exits_3(cli, people, in_review):
    requester_with_approve = token_of(in_review.requester, scopes=["read", "approve"])

    result = cli("approve", stage_of(in_review).pk, token=requester_with_approve)

    assert result.exit_code == 3, result.output
    assert "Error:" in result.stderr and "Traceback" not in result.output
    assert stage_of(in_review).status == "pending"


def test_reject_needs_a_comment_then_watch_shows_why_and_exits_1(cli, people, in_review):
    stage = stage_of(in_review)

    no_comment = cli("reject", stage.pk, token=people.approver)
    rejected = cli("reject", stage.pk, "--comment", "too big for a feature VM", token=people.approver)
    watched = cli("request", "watch", in_review.pk, "--interval", "0.1", token=people.requester)

    assert no_comment.exit_code == 2 and "--comment" in no_comment.stderr
    assert rejected.exit_code == 0, rejected.output
    assert f"Stage #{stage.pk} rejected: the request is now rejected." in rejected.stdout
    assert watched.exit_code == 1
    assert "Stage mlops-enablement: rejected (round 1) by approver: too big for a feature VM" in watched.stdout
    assert f"Request #{in_review.pk} is rejected." in watched.stdout


def test_request_changes_sends_it_back(cli, people, in_review):
    result = cli("request-changes", stage_of(in_review).pk, "-m", "use a smaller disk", token=people.approver)

    assert result.exit_code == 0, result.output
    assert "the request is now changes_requested" in result.stdout
    in_review.refresh_from_db()
    assert in_review.status == "changes_requested"


def test_watch_follows_the_approval_and_the_run_live_until_active(cli, people, in_review, inline_tasks,
                                                                  monkeypatch):
    """The run happens while `watch` waits (at its first pause): it shows the stage, the run's status and
    its log lines as they come, then exits 0."""
    from portal.cli import app as cli_app

    approved = cli("approve", stage_of(in_review).pk, "--comment", "fine", token=people.approver)
    assert approved.exit_code == 0, approved.output
    assert "the request is now provisioning" in approved.stdout or "now approved" in approved.stdout
    pauses = []

    def pause(seconds):  # the worker's turn: carry out the queued runs
        pauses.append(seconds)
        inline_tasks.drain()

    monkeypatch.setattr(cli_app, "time", SimpleNamespace(sleep=pause, monotonic=time.monotonic))

    watched = cli("request", "watch", in_review.pk, "--interval", "0.1", token=people.requester)

    assert watched.exit_code == 0, watched.output
    out = watched.stdout
    assert pauses, "watch never waited: the run was not followed live"
    assert out.index(f"Request #{in_review.pk}: provisioning") < out.index(f"Request #{in_review.pk}: active")
    assert "Stage mlops-enablement: approved (round 1) by approver: fine" in out
    assert "(apply, item" in out and ": succeeded" in out
    assert "    fake apply of churn-vm" in out  # the run's log line
    assert out.strip().endswith(f"Request #{in_review.pk} is active.")


def test_watch_gives_up_after_its_timeout_with_exit_1(cli, people, in_review):
    result = cli("request", "watch", in_review.pk, "--timeout", "0", token=people.requester)

    assert result.exit_code == 1
    assert f"Request #{in_review.pk} is still in_review after 0 seconds" in result.stderr


def test_watch_of_an_unknown_request_exits_4(cli, people, in_review):
    result = cli("request", "watch", in_review.pk + 1000, token=people.requester)

    assert result.exit_code == 4 and "No such object" in result.stderr


@pytest.fixture
def active(mlops_only, in_review, inline_tasks):
    from portal.onboarding.services.reviews import record_decision

    record_decision(stage=stage_of(in_review), actor=mlops_only.people["approver"], outcome="approve")
    inline_tasks.drain()
    in_review.refresh_from_db()
    assert in_review.status == "active"
    return in_review


def test_resources_and_decommission(cli, people, active, mlops_only):
    listed = cli("resources", "--team", "churn-modelling", token=people.requester)
    resources = cli.json("resources", token=people.requester)
    wrong_item = cli("decommission", active.pk, "--item", "999999", "--reason", "done", token=people.requester)
    no_reason = cli("decommission", active.pk, token=people.requester)
    made = cli("decommission", active.pk, "--reason", "the features are built", token=people.requester)

    assert listed.exit_code == 0, listed.output
    assert "churn-vm" in listed.stdout and "active" in listed.stdout
    assert [(r["name"], r["request"]) for r in resources] == [("churn-vm", active.pk)]
    assert wrong_item.exit_code == 1 and "/items" in wrong_item.stderr
    assert no_reason.exit_code == 2
    assert made.exit_code == 0, made.output
    change = OnboardingRequest.objects.exclude(pk=active.pk).get()
    assert f"Change request #{change.pk} created to decommission request #{active.pk}" in made.stdout
    assert change.kind == "decommission"


def test_audit_export_for_admins_as_csv_and_json(cli, people, in_review, tmp_path):
    out = tmp_path / "audit.csv"

    written = cli("audit", "export", "--since", "2020-01-01", "--format", "csv", "--out", out, token=people.admin)
    as_json = cli("audit", "export", "--since", "2020-01-01", "--format", "json", token=people.admin)
    refused = cli("audit", "export", "--since", "2020-01-01", token=token_of(in_review.requester))
    bad_date = cli("audit", "export", "--since", "last week", token=people.admin)

    assert written.exit_code == 0, written.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert "request.submitted" in {row["verb"] for row in rows}
    events = json.loads(as_json.stdout)
    events = events.get("results", events) if isinstance(events, dict) else events
    assert "request.submitted" in {event["verb"] for event in events}
    assert refused.exit_code == 3 and "Error:" in refused.stderr
    assert bad_date.exit_code == 2 and "not a date" in bad_date.stderr


def test_a_failed_run_is_watched_to_exit_1_with_its_error_then_retried(cli, people, mlops_only, in_review,
                                                                       fake_engine, inline_tasks):
    from portal.onboarding.services.reviews import record_decision

    fake_engine.fail("churn-vm", "apply", RuntimeError("the cloud said no"))
    record_decision(stage=stage_of(in_review), actor=mlops_only.people["approver"], outcome="approve")
    inline_tasks.drain()
    in_review.refresh_from_db()
    assert in_review.status == "failed"

    watched = cli("request", "watch", in_review.pk, token=people.requester)
    retried = cli("request", "retry", in_review.pk, token=people.requester)
    inline_tasks.drain()
    again = cli("request", "watch", in_review.pk, token=people.requester)

    assert watched.exit_code == 1, watched.output
    assert f"Request #{in_review.pk} is failed." in watched.stdout
    assert "the cloud said no" in watched.stdout
    assert f"portal request retry {in_review.pk}" in watched.stdout
    assert retried.exit_code == 0, retried.output
    assert f"Request #{in_review.pk} retried: it is now provisioning." in retried.stdout
    assert again.exit_code == 0 and f"Request #{in_review.pk} is active." in again.stdout


def test_cancel_of_a_request_with_nothing_running_is_refused(cli, people, in_review):
    result = cli("request", "cancel", in_review.pk, token=people.requester)

    assert result.exit_code == 1
    assert "Error:" in result.stderr and "Traceback" not in result.output
