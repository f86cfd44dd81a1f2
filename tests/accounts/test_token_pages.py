"""The Access tokens page: a person lists, creates and revokes their own tokens; the secret is shown once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.accounts.models import PersonalAccessToken
from portal.accounts.tokens import create_token

pytestmark = pytest.mark.django_db

SECRET = re.compile(r"pat_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_user_menu_links_to_the_page(demo):
    page = logged_in(demo.people["requester"]).get(reverse("catalog:index"))
    assert f'href="{reverse("accounts:tokens")}"' in page.content.decode()


def test_creating_a_token_shows_its_secret_once_and_never_again(demo):
    client = logged_in(demo.people["requester"])
    answer = client.post(reverse("accounts:tokens"), {"name": "nightly gpu", "scopes": ["read", "request"],
                                                      "days": "30"})
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    page = answer.content.decode()
    secrets_shown = SECRET.findall(page)
    assert secrets_shown, "the new token's secret is on the page"
    secret = secrets_shown[0]
    assert "shown only this once" in page
    token = PersonalAccessToken.objects.get(user=demo.people["requester"], name="nightly gpu")
    assert secret.startswith(f"pat_{token.prefix}_") and token.scopes == ["read", "request"]
    # It works, and it is nowhere afterwards: not in the list, not in a message of the next page.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/me").json()["token"] == "nightly gpu"
    listing = client.get(reverse("accounts:tokens")).content.decode()
    assert "nightly gpu" in listing and f"pat_{token.prefix}_…" in listing
    assert secret not in listing and not SECRET.search(listing)
    assert secret not in client.get(reverse("catalog:index")).content.decode()
    assert all(secret not in str(value) for value in client.cookies.values())


def test_the_list_shows_only_my_tokens_with_their_state(demo):
    mine, _ = create_token(user=demo.people["requester"], name="ci job", scopes=["read"])
    create_token(user=demo.people["approver"], name="someone else's", scopes=["read"])
    PersonalAccessToken.objects.filter(pk=mine.pk).update(last_used_at=timezone.now() - timedelta(hours=1))
    page = logged_in(demo.people["requester"]).get(reverse("accounts:tokens"))
    text = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "ci job" in text and "someone else" not in text
    assert "1 token" in text and f'data-token="{mine.pk}"' in text and ">active<" in text


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "", "scopes": ["read"], "days": "30"}, "name", "This field is required"),
    ({"name": "x", "days": "30"}, "scopes", "This field is required"),
    ({"name": "x", "scopes": ["root"], "days": "30"}, "scopes", "Select a valid choice"),
    ({"name": "x", "scopes": ["read"], "days": "367"}, "days", "less than or equal to 366"),
    ({"name": "x", "scopes": ["read"], "days": "0"}, "days", "greater than or equal to 1"),
])
def test_bad_input_is_shown_next_to_its_field(demo, data, field, message):
    answer = logged_in(demo.people["requester"]).post(reverse("accounts:tokens"), data)
    assert answer.status_code == 400
    errors = re.search(rf'id="id_{field}_error">(.*?)</div>', answer.content.decode(), re.S)
    assert errors and message in errors.group(1)
    assert not PersonalAccessToken.objects.exists()
    assert not SECRET.search(answer.content.decode())


def test_the_services_refusal_is_shown_next_to_the_field_it_names(demo):
    create_token(user=demo.people["requester"], name="ci", scopes=["read"])
    answer = logged_in(demo.people["requester"]).post(reverse("accounts:tokens"),
                                                      {"name": "ci", "scopes": ["read"], "days": "30"})
    assert answer.status_code == 400
    errors = re.search(r'id="id_name_error">(.*?)</div>', answer.content.decode(), re.S)
    assert errors and "already have a token with this name" in errors.group(1)
    assert PersonalAccessToken.objects.count() == 1


def test_revoking_a_token_stops_it_working_on_the_api(demo, api_as):
    api = api_as(demo.people["requester"], scopes=["read"], name="to revoke")
    assert api.get("/api/v1/me").status_code == 200
    token = PersonalAccessToken.objects.get(name="to revoke")
    client = logged_in(demo.people["requester"])
    answer = client.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert answer.status_code == 302 and answer.url == reverse("accounts:tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/me").status_code == 401
    listing = client.get(reverse("accounts:tokens")).content.decode()
    assert "is revoked" in listing and "revoked " in listing
    assert f'action="{reverse("accounts:revoke_token", args=[token.pk])}"' not in listing


def test_another_persons_token_answers_404_like_a_missing_one(demo):
    theirs, _ = create_token(user=demo.people["approver"], name="theirs", scopes=["read"])
    client = logged_in(demo.people["requester"])
    assert client.post(reverse("accounts:revoke_token", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:revoke_token", args=[theirs.pk + 1000])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_revoking_needs_a_post_with_csrf(demo):
    token, _ = create_token(user=demo.people["requester"], name="mine", scopes=["read"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.people["requester"])
    url = reverse("accounts:revoke_token", args=[token.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_list_is_paginated(demo):
    for number in range(30):
        create_token(user=demo.people["requester"], name=f"token {number:02d}", scopes=["read"])
    client = logged_in(demo.people["requester"])
    first = client.get(reverse("accounts:tokens")).content.decode()
    assert "Showing 1–25 of 30 tokens" in first and "token 29" in first and "token 04" not in first
    second = client.get(reverse("accounts:tokens"), {"page": "2"}).content.decode()
    assert "Showing 26–30 of 30 tokens" in second and "token 04" in second and "token 29" not in second


def test_a_platform_admin_finds_and_revokes_anyones_token_in_the_admin(demo):
    from portal.audit.models import AuditEvent

    token, text = create_token(user=demo.people["requester"], name="leaked in a notebook", scopes=["read"])
    assert APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 200
    admin = logged_in(demo.people["admin"])
    listing = admin.get("/admin/accounts/personalaccesstoken/?q=leaked").content.decode()
    assert token.prefix in listing and "leaked in a notebook" in listing
    assert token.digest not in listing and text not in listing

    answer = admin.post("/admin/accounts/personalaccesstoken/",
                        {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert "1 token(s) revoked." in answer.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(verb="token.revoked", actor=demo.people["admin"]).exists()
    assert APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 401


def test_the_staff_flag_alone_does_not_revoke_someone_elses_token(demo, make_user):
    from django.contrib.auth.models import Permission

    token, _ = create_token(user=demo.people["requester"], name="ci", scopes=["read"])
    staff = make_user("helpdesk")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(Permission.objects.get(codename="view_personalaccesstoken"))
    answer = logged_in(staff).post("/admin/accounts/personalaccesstoken/",
                                   {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert "Only its owner or a platform admin can revoke a token." in answer.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
