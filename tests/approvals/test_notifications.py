"""E-mails at each step (sent on commit, locmem in tests) and the steering-team webhook, posted by a
Celery task with a timeout and retries — against a small HTTP server on 127.0.0.1, no network."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from portal.approvals.tasks import post_webhook_task
from portal.approvals.webhooks import WebhookFailed, post_text
from portal.onboarding.services import record_decision
from tests.approvals.conftest import GPU_VALUES, stage_of

pytestmark = pytest.mark.django_db


class Hook:
    """A local webhook: answers with the scripted statuses (then 200), sleeping when told to."""

    def __init__(self, script=()):
        self.script, self.posts = list(script), []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                hook.posts.append((body, self.headers["Content-Type"]))
                status = hook.script.pop(0) if hook.script else 200
                if status == "slow":
                    time.sleep(1.0)
                    status = 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    hooks = []

    def make(*script):
        hooks.append(Hook(script))
        return hooks[-1]
    yield make
    for h in hooks:
        h.close()


@pytest.fixture
def fast_retries(settings):
    settings.PORTAL_WEBHOOK_TIMEOUT_SECONDS = 0.3
    settings.PORTAL_WEBHOOK_RETRY_SECONDS = 0


def test_each_step_mails_the_right_people_after_commit(demo, submit, gpu_version, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as pending:
        request = submit(gpu_version, GPU_VALUES, data_classification="confidential")
        assert mail.outbox == []  # nothing leaves before the commit
    for callback in pending:
        callback()
    sent = {(m.subject.split(":")[0], m.to[0]) for m in mail.outbox}
    assert (f"[Portal] Request #{request.pk} submitted for review", "requester@example.org") in sent
    waiting = f"[Portal] Request #{request.pk} waits for your decision"
    assert {to for subject, to in sent if subject == waiting} == {"approver@example.org",
                                                                  "infosec-approver@example.org"}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record_decision(stage=stage_of(request, "infosec"), actor=demo.people["infosec-approver"],
                        outcome="approve", comment="masked data only")
    assert [(m.to, "masked data only" in m.body) for m in mail.outbox] == [(["requester@example.org"], True)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # group 2 opens: Finance hears of it
        record_decision(stage=stage_of(request, "mlops-enablement"), actor=demo.people["approver"],
                        outcome="approve")
    assert {m.to[0] for m in mail.outbox} == {"requester@example.org", "finance-approver@example.org"}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record_decision(stage=stage_of(request, "finance"), actor=demo.people["finance-approver"],
                        outcome="reject", comment="over budget")
    assert len(mail.outbox) == 1 and "rejected" in mail.outbox[0].subject and "over budget" in mail.outbox[0].body


def test_a_rolled_back_write_sends_nothing(demo, submit, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("portal.approvals.facts.estimate_items", lambda pairs, **kw: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError):
        submit()
    assert mail.outbox == []


def test_the_team_webhook_hears_of_open_stages(demo, submit, hook, monkeypatch,
                                               django_capture_on_commit_callbacks):
    local = hook()
    demo.teams["mlops-enablement"].__class__.objects.filter(slug="mlops-enablement").update(webhook_url=local.url)
    fired = []
    monkeypatch.setattr(post_webhook_task, "delay", lambda *args: fired.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(title="Needs a look")
    assert len(fired) == 1
    team_pk, text = fired[0]
    post_webhook_task.apply(args=(team_pk, text))
    assert local.posts == [({"text": text}, "application/json")]
    assert f"Request #{request.pk}" in text and "Needs a look" in text


def test_the_webhook_task_retries_until_it_gets_through(demo, hook, fast_retries):
    local = hook(500, 502)
    team = demo.teams["finance"]
    team.webhook_url = local.url
    team.save(update_fields=["webhook_url"])
    post_webhook_task.apply(args=(team.pk, "hello"))
    assert [body for body, _ in local.posts] == [{"text": "hello"}] * 3


def test_the_webhook_task_gives_up_after_its_retries(demo, hook, fast_retries):
    local = hook(500, 500, 500, 500, 500, 500)
    team = demo.teams["finance"]
    team.webhook_url = local.url
    team.save(update_fields=["webhook_url"])
    result = post_webhook_task.apply(args=(team.pk, "hello"))
    assert result.successful()  # logged and dropped: a webhook never blocks the portal
    assert len(local.posts) == 1 + post_webhook_task.max_retries


def test_a_slow_webhook_times_out_and_is_retried(demo, hook, fast_retries):
    local = hook("slow")
    started = time.monotonic()
    with pytest.raises(WebhookFailed, match="unreachable"):
        post_text(local.url, "hi", timeout=0.3)
    assert time.monotonic() - started < 0.9
    team = demo.teams["finance"]
    team.webhook_url = local.url
    team.save(update_fields=["webhook_url"])
    local.script = ["slow"]
    post_webhook_task.apply(args=(team.pk, "again"))
    assert len(local.posts) == 3  # the slow one (from post_text), the timed-out task try, its retry


def test_only_http_urls_are_posted():
    with pytest.raises(ValueError, match="http"):
        post_text("file:///etc/passwd", "x", timeout=1)
