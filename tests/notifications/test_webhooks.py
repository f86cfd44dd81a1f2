"""Team webhooks: a lead adds one (a signed one shows its secret once); the team's events are posted by the
real Celery worker to a receiver on 127.0.0.1 — chat text, or JSON whose HMAC signature the receiver checks; a
failing endpoint is retried with backoff and every attempt is in the delivery log the team reads."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.notifications.delivery import verify
from portal.notifications.models import Event, TeamWebhook, WebhookDelivery
from portal.notifications.services import create_webhook, notify
from portal.teams.models import Membership, Team
from tests.fixtures.worker import wait_for


class Receiver:
    """An HTTP endpoint that answers the scripted statuses (then 200) and keeps what it got."""

    def __init__(self, *script: int):
        self.script, self.posts = list(script), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append((dict(self.headers), body))
                self.send_response(receiver.script.pop(0) if receiver.script else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver():
    made = []

    def make(*script):
        made.append(Receiver(*script))
        return made[-1]

    yield make
    for r in made:
        r.server.shutdown()


@pytest.fixture
def lead(demo, make_user):
    return make_user("churn-lead", team=demo.teams["churn-modelling"], role=Membership.Role.LEAD)


@pytest.mark.django_db
def test_a_lead_adds_a_signed_webhook_and_sees_its_secret_once(demo, lead, client, receiver):
    client.force_login(lead)
    url = "/notifications/teams/churn-modelling/webhooks/"
    created = client.post(url, {"name": "ops", "url": receiver().url, "format": "signed_json",
                                "events": [Event.REQUEST_ACTIVE, Event.REQUEST_FAILED]})
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    secret = re.search(r'id="secret">([^<]+)<', created.content.decode()).group(1)
    webhook = TeamWebhook.objects.get(team__slug="churn-modelling")
    assert secret not in json.dumps(webhook.secret)  # stored sealed
    assert secret not in client.get(url).content.decode()  # and never shown again


@pytest.mark.django_db
def test_only_leads_change_webhooks_and_other_teams_see_nothing(demo, lead, client, make_user, receiver):
    member = demo.people["requester"]
    client.force_login(member)
    url = "/notifications/teams/churn-modelling/webhooks/"
    assert client.get(url).status_code == 200  # members read the delivery log
    assert client.post(url, {"name": "x", "url": receiver().url, "format": "text"}).status_code == 404
    outsider_team = Team.objects.create(slug="fraud", name="Fraud", kind=Team.Kind.MODELLING)
    client.force_login(make_user("fraud-analyst", team=outsider_team))
    assert client.get(url).status_code == 404
    assert not TeamWebhook.objects.exists()


@pytest.mark.django_db
def test_an_internal_address_is_refused_unless_allowed(demo, lead, client, settings):
    settings.PORTAL_WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(lead)
    answer = client.post("/notifications/teams/churn-modelling/webhooks/",
                         {"name": "meta", "url": "http://169.254.169.254/latest/meta-data", "format": "text"})
    assert answer.status_code == 400 and "internal address" in answer.content.decode()
    assert not TeamWebhook.objects.exists()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_worker_posts_signed_events_and_retries_a_failing_endpoint(demo, lead, client, receiver,
                                                                       celery_worker_process):
    team = demo.teams["churn-modelling"]
    signed_at, chat_at = receiver(), receiver(500, 503)
    signed, secret = create_webhook(team=team, name="ops", url=signed_at.url, format="signed_json", events=[],
                                    actor=lead)
    create_webhook(team=team, name="chat", url=chat_at.url, format="text", events=[Event.REQUEST_FAILED],
                   actor=lead)
    notify(event=Event.REQUEST_ACTIVE, team=team, requester=demo.people["requester"], title="Request #7 is active",
           body="Everything exists.", url="/requests/7/", data={"request": 7})
    notify(event=Event.REQUEST_FAILED, team=team, requester=demo.people["requester"], title="Request #8 failed",
           body="quota", url="/requests/8/", data={"request": 8})

    wait_for(lambda: len(signed_at.posts) == 2 and len(chat_at.posts) == 3, timeout=60, what="the deliveries")
    for headers, body in signed_at.posts:
        assert verify(secret, headers, body)
        assert not verify("another-secret", headers, body)
    events = sorted(json.loads(body)["event"] for _, body in signed_at.posts)
    assert events == [Event.REQUEST_ACTIVE, Event.REQUEST_FAILED]
    assert {json.loads(body)["text"] for _, body in chat_at.posts} == {"*Request #8 failed* <http://127.0.0.1:8000/requests/8/>\nquota"}

    chat = WebhookDelivery.objects.get(webhook__name="chat")
    wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").count() == 3, timeout=30,
             what="every delivery recorded as delivered")
    chat.refresh_from_db()
    assert chat.attempts == 3  # 500, 503, then 200
    client.force_login(demo.people["requester"])
    log = client.get("/notifications/teams/churn-modelling/webhooks/").content.decode()
    assert log.count("Delivered") >= 3 and f'data-delivery="{chat.pk}"' in log
    assert signed.deliveries.count() == 2


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_endpoint_that_never_answers_well_ends_failed_in_the_log(demo, lead, client, receiver,
                                                                    celery_worker_process):
    broken = receiver(500, 500, 500, 500)
    create_webhook(team=demo.teams["churn-modelling"], name="broken", url=broken.url, format="text", events=[],
                   actor=lead)
    notify(event=Event.REQUEST_ACTIVE, team=demo.teams["churn-modelling"], requester=None, title="Request #9 is active")
    wait_for(lambda: WebhookDelivery.objects.filter(status="failed").exists(), timeout=60, what="the delivery to fail")
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3 and delivery.response_code == 500 and "HTTP 500" in delivery.error
    assert len(broken.posts) == 3
    client.force_login(lead)
    log = client.get("/notifications/teams/churn-modelling/webhooks/").content.decode()
    assert "Failed" in log and "HTTP 500" in log


@pytest.mark.django_db(transaction=True)
def test_a_delivery_whose_task_was_lost_is_sent_again_once(demo, lead, client, receiver, celery_worker_process,
                                                           settings):
    """The broker lost the message (here: it was never sent): the periodic resend posts it, once."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.notifications.tasks import resend_stalled_deliveries_task

    settings.PORTAL_WEBHOOK_STALL_SECONDS = 600
    endpoint = receiver()
    webhook, _ = create_webhook(team=demo.teams["churn-modelling"], name="chat", url=endpoint.url, format="text",
                                events=[], actor=lead)
    lost = WebhookDelivery.objects.create(webhook=webhook, event=Event.REQUEST_ACTIVE, payload={"text": "lost"})
    recent = WebhookDelivery.objects.create(webhook=webhook, event=Event.REQUEST_ACTIVE, payload={"text": "recent"})
    WebhookDelivery.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=11))

    assert resend_stalled_deliveries_task() == [lost.pk]
    assert resend_stalled_deliveries_task() == []  # claimed: the next round does not send it again

    wait_for(lambda: WebhookDelivery.objects.filter(pk=lost.pk, status="delivered").exists(), timeout=60,
             what="the lost delivery to be posted")
    assert [json.loads(body)["text"] for _, body in endpoint.posts] == ["lost"]
    assert WebhookDelivery.objects.get(pk=recent.pk).status == "pending"  # not due yet: left alone
    client.force_login(lead)
    assert "Delivered" in client.get("/notifications/teams/churn-modelling/webhooks/").content.decode()
