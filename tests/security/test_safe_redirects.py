"""Finding 1: a ``next`` the page sends back is followed only when it is a path on this site;
anything else — a bare word ``redirect()`` took for a view name (a 500), another site, a header
injection — sends the person to the page's default."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.core.redirects import safe_path

UNSAFE = ["foo", "approvals:queue", "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
          "javascript:alert(1)", "http:/evil.example", "/requests/\r\nSet-Cookie: x=1", "/\x00", "[", "http://[::1",
          " /requests/"]


@pytest.mark.parametrize("target", UNSAFE)
def test_unsafe_targets_are_refused(target):
    assert safe_path(RequestFactory().post("/"), target) is None


@pytest.mark.parametrize("target", ["/requests/", "/approvals/?team=infosec&page=2", "/requests/7/#drift-3"])
def test_paths_on_this_site_are_kept(target):
    assert safe_path(RequestFactory().post("/"), target) == target


@pytest.mark.parametrize("target", UNSAFE)
def test_decide_bulk_and_drift_send_an_unsafe_next_to_their_default(client, world, target):
    client.force_login(world.people["mlops"])
    for url, data in [(reverse("approvals:decide", args=[world.stage.pk]), {"outcome": "shrug"}),
                      (reverse("approvals:bulk"), {"stages": ["not a number"]})]:
        response = client.post(url, {**data, "next": target})
        assert (response.status_code, response.url) == (302, reverse("approvals:queue"))
    client.force_login(world.people["owner"])
    response = client.post(reverse("inventory:drift", args=[world.resource.pk, "check"]), {"next": target})
    assert response.status_code == 302
    assert response.url == reverse("onboarding:detail", args=[world.active.pk]) + f"#drift-{world.resource.pk}"


def test_a_safe_next_is_followed(client, world):
    client.force_login(world.people["mlops"])
    back = "/approvals/?sort=cost"
    response = client.post(reverse("approvals:decide", args=[world.stage.pk]), {"outcome": "shrug", "next": back})
    assert (response.status_code, response.url) == (302, back)
    assert "Choose approve, reject or request changes." in client.get(back).content.decode()


@pytest.mark.parametrize("target", UNSAFE)
def test_login_and_logout_send_an_unsafe_next_to_their_default(client, world, target):
    response = client.post(reverse("login"), {"username": "requester", "password": "requester-demo", "next": target})
    assert (response.status_code, response.url) == (302, reverse("home"))
    response = client.post(reverse("logout"), {"next": target})
    assert (response.status_code, response.url) == (302, reverse("login"))


def test_login_follows_a_path_on_this_site(client, world):
    page = client.get(reverse("login") + "?next=/approvals/").content.decode()
    assert 'name="next" value="/approvals/"' in page
    response = client.post(reverse("login"), {"username": "approver", "password": "approver-demo",
                                              "next": "/approvals/"})
    assert (response.status_code, response.url) == (302, "/approvals/")
