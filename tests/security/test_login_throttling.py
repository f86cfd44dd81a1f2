"""Guessing passwords: five failures lock a username+address out for a while, on a page of ours;
every failure is audited without the password; passwords people choose follow Django's validators."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.audit.models import AuditEvent

WRONG = "not-the-password-%d"


@pytest.fixture
def person(make_user):
    return make_user("dana")  # password "pw-dana"


def test_five_wrong_passwords_lock_the_account_out_from_that_address_even_for_the_right_one(client, person):
    for attempt in range(4):
        response = client.post(reverse("login"), {"username": "dana", "password": WRONG % attempt})
        assert response.status_code == 200 and "Please enter a correct username and password" in response.text
    fifth = client.post(reverse("login"), {"username": "dana", "password": WRONG % 5})
    assert fifth.status_code == 429 and "Too many failed logins" in fifth.text

    locked = client.post(reverse("login"), {"username": "dana", "password": "pw-dana"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text and "paused for 15 minutes" in locked.text
    assert "<strong>dana</strong>" in locked.text and 'href="/login/"' in locked.text
    assert "_auth_user_id" not in client.session  # the right password did not log in

    # Another person on the same address, and the same person from another address, still log in.
    other = get_user_model().objects.create_user("erin", password="pw-erin")
    assert client.post(reverse("login"), {"username": other.username, "password": "pw-erin"}).status_code == 302
    client.logout()
    elsewhere = client.post(reverse("login"), {"username": "dana", "password": "pw-dana"}, REMOTE_ADDR="10.9.8.7")
    assert elsewhere.status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, person, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for attempt in range(5):
        client.post(reverse("login"), {"username": "dana", "password": WRONG % attempt})
    assert client.post(reverse("login"), {"username": "dana", "password": "pw-dana"}).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)  # time passes
    assert client.post(reverse("login"), {"username": "dana", "password": "pw-dana"}).status_code == 302


def test_a_failure_below_the_limit_is_forgotten_after_a_successful_login(client, person):
    for attempt in range(4):
        client.post(reverse("login"), {"username": "dana", "password": WRONG % attempt})
    assert client.post(reverse("login"), {"username": "dana", "password": "pw-dana"}).status_code == 302
    client.logout()
    for attempt in range(4):
        assert client.post(reverse("login"), {"username": "dana", "password": WRONG % attempt}).status_code == 200
    assert client.post(reverse("login"), {"username": "dana", "password": "pw-dana"}).status_code == 302


def test_failed_logins_are_audited_with_username_and_address_never_the_password(client, person):
    client.post(reverse("login"), {"username": "dana", "password": "Secret-Guess-1"}, REMOTE_ADDR="192.0.2.7")
    client.post(reverse("login"), {"username": "nobody-here", "password": "Secret-Guess-2"}, REMOTE_ADDR="192.0.2.7")
    events = list(AuditEvent.objects.filter(verb="login.failed").order_by("id"))
    assert [(e.object_type, e.object_id, e.data["username"], e.data["ip"]) for e in events] == [
        ("accounts.user", str(person.pk), "dana", "192.0.2.7"), ("", "", "nobody-here", "192.0.2.7")]
    assert not AuditEvent.objects.filter(data__icontains="Secret-Guess").exists()

    for attempt in range(4):
        client.post(reverse("login"), {"username": "dana", "password": WRONG % attempt}, REMOTE_ADDR="192.0.2.7")
    locked = AuditEvent.objects.get(verb="login.locked_out")
    assert locked.data == {"username": "dana", "ip": "192.0.2.7"} and locked.object_id == str(person.pk)


@pytest.mark.parametrize(("password", "message"), [
    ("password", "This password is too short. It must contain at least 12 characters."),
    ("12345678", "This password is entirely numeric."),
    ("password1234", "This password is too common."),
    ("Dana.Kowalska!", "The password is too similar to the username."),
])
def test_a_weak_password_is_refused_where_an_admin_sets_one(client, make_user, password, message):
    person = make_user("dana.kowalska")
    admin = get_user_model().objects.create_superuser("root", password="root-pw-not-checked-here")
    client.force_login(admin)
    response = client.post(f"/admin/accounts/user/{person.pk}/password/",
                           {"password1": password, "password2": password})
    assert response.status_code == 200 and message in response.text
    person.refresh_from_db()
    assert person.check_password("pw-dana.kowalska")


def test_a_strong_password_is_accepted_there(client, make_user):
    person = make_user("dana.kowalska")
    client.force_login(get_user_model().objects.create_superuser("root", password="root-pw-not-checked-here"))
    response = client.post(f"/admin/accounts/user/{person.pk}/password/",
                           {"password1": "plum-orbit-cactus-97", "password2": "plum-orbit-cactus-97"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("plum-orbit-cactus-97")
