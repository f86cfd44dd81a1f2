"""Error pages a person can read; bad input is a 4xx with a message, never a raw 500."""

import pytest
from django.test import Client


@pytest.fixture
def requester(client, demo):
    client.force_login(demo.people["requester"])
    return client


@pytest.mark.parametrize("path", ["/requests/99999999999999999999999/", "/requests/999999/", "/nowhere/",
                                  "/requests/new/no-such-template/", "/requests/new/bundle/nope/",
                                  "/approvals/stages/99999999999999999999/decide/", "/teams/x/"])
def test_not_found_is_a_friendly_404(requester, path):
    response = requester.get(path)
    assert response.status_code == 404 or (response.status_code == 405 and "decide" in path)
    if response.status_code == 404:
        assert "We could not find that page" in response.content.decode()


@pytest.mark.parametrize(("method", "path", "data"), [
    ("get", "/approvals/?page=abc&team=%00&sort=zzz&risk=1", {}),
    ("post", "/catalog/estimate/", {"section": ["v:1x", "i99:abc"], "team": "abc"}),
    ("post", "/requests/check-field/", {"_field": "v-name", "section": "zz"}),
    ("post", "/requests/new/cpu-vm/", {"team": "abc", "action": "draft"}),
    ("post", "/requests/new/cpu-vm/", {"team": "999999999999999999999", "action": "review"}),
])
def test_odd_input_never_gives_a_500(requester, method, path, data):
    response = getattr(requester, method)(path, data)
    assert response.status_code < 500


def test_an_application_error_no_view_caught_is_a_400_page(rf, demo):
    from portal.core.errors import ApplicationError, PermissionDenied
    from portal.core.middleware import ApplicationErrorMiddleware

    request = rf.get("/")
    request.user = demo.people["requester"]
    middleware = ApplicationErrorMiddleware(lambda r: None)
    response = middleware.process_exception(request, ApplicationError("That team has no quota row."))
    assert response.status_code == 400 and "That team has no quota row." in response.content.decode()
    assert middleware.process_exception(request, PermissionDenied("No.")).status_code == 403
    assert middleware.process_exception(request, ValueError("x")) is None


def test_the_500_page_renders_without_a_request_context(db):
    from django.template.loader import render_to_string

    assert "Something went wrong on our side" in render_to_string("500.html")


def test_every_page_has_a_skip_link_and_labelled_navigation(requester):
    page = requester.get("/catalog/").content.decode()
    assert 'href="#content"' in page and 'id="content"' in page and 'aria-label="Main"' in page
    assert 'aria-current="page"' in page


def test_staff_get_admin_shortcuts(client, demo):
    client.force_login(demo.people["admin"])
    page = client.get("/catalog/").content.decode()
    for path in ("/admin/catalog/resourcetemplate/", "/admin/approvals/approvalrule/", "/admin/teams/quota/"):
        assert f'href="{path}"' in page
    assert "/admin/" not in Client().get("/login/").content.decode()
