"""E-mails at each step (sent on commit, locmem in tests) and the steering team's webhooks (its team webhooks
that take ``stage.waiting``), posted through the delivery log with a timeout — against a small HTTP server on
127.0.0.1, no network. Retries and giving up are the delivery log's (tests/notifications/test_webhooks.py)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from portal.notifications.delivery import WebhookFailed, post
from portal.notifications.models import TeamWebhook, WebhookDelivery
from portal.notifications.services import attempt_delivery
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


def test_the_steering_teams_webhook_hears_of_open_stages(demo, submit, hook, django_capture_on_commit_callbacks):
    local, other = hook(), hook()
    steering = demo.teams["mlops-enablement"]
    TeamWebhook.objects.create(team=steering, name="approvals chat", url=local.url, events=["stage.waiting"])
    TeamWebhook.objects.create(team=steering, name="only failures", url=other.url, events=["request.failed"])
    with django_capture_on_commit_callbacks(execute=False):
        request = submit(title="Needs a look")

    delivery = WebhookDelivery.objects.get(webhook__team=steering)
    assert delivery.event == "stage.waiting" and delivery.webhook.url == local.url
    assert attempt_delivery(delivery_pk=delivery.pk) is None
    [(body, content_type)] = local.posts
    assert content_type == "application/json"
    assert f"Request #{request.pk}" in body["text"] and "Needs a look" in body["text"]
    assert f"/requests/{request.pk}/" in body["text"]
    assert other.posts == []
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == "delivered"


def test_a_slow_webhook_times_out_as_unreachable(hook):
    local = hook("slow")
    with pytest.raises(WebhookFailed, match="unreachable"):
        post(local.url, {"text": "hi"}, secret=None, timeout=0.3, event="stage.waiting", delivery="1")
