"""portal login / logout / whoami: the token is checked with the portal, stored for its owner alone, and an
environment variable wins over it."""

from __future__ import annotations

import json
import stat

import pytest

from tests.fixtures.cli import token_of

pytestmark = pytest.mark.django_db(transaction=True)


def config_file(cli):
    return cli.home / ".config" / "portal" / "config.json"


def test_login_checks_the_token_and_stores_it_for_its_owner_alone(cli, demo):
    token = token_of(demo.people["requester"], scopes=["read", "request"], name="laptop")

    result = cli("login", "--url", cli.url, "--token", token)

    assert result.exit_code == 0, result.output
    assert f"Logged in to {cli.url} as requester" in result.stdout
    assert "laptop" in result.stdout and "read, request" in result.stdout
    path = config_file(cli)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text()) == {"url": cli.url, "token": token}

    # The next command uses what was stored (no PORTAL_TOKEN, no PORTAL_URL).
    who = cli("whoami", stored=True)
    assert who.exit_code == 0, who.output
    assert "requester" in who.stdout and "churn-modelling" in who.stdout
    assert f"{cli.url} (from config)" in who.stdout


def test_login_asks_for_the_token_without_echoing_it(cli, demo):
    token = token_of(demo.people["approver"])

    result = cli("login", input=token + "\n")  # the URL comes from PORTAL_URL

    assert result.exit_code == 0, result.output
    assert "Personal access token" in result.output
    assert token not in result.output
    assert "as approver" in result.stdout
    assert json.loads(config_file(cli).read_text())["token"] == token


def test_a_bad_token_exits_3_says_why_and_stores_nothing(cli, demo):
    result = cli("login", "--token", "pat_deadbeef_not-a-real-secret")

    assert result.exit_code == 3
    assert "refused this token" in result.stderr
    assert "unknown, revoked or expired" in result.stderr
    assert "Traceback" not in result.output
    assert not config_file(cli).exists()


def test_a_revoked_token_is_refused_by_every_command(cli, demo):
    from portal.accounts.models import PersonalAccessToken
    from portal.accounts.tokens import revoke_token

    user = demo.people["requester"]
    token = token_of(user)
    assert cli("whoami", token=token).exit_code == 0
    revoke_token(token=PersonalAccessToken.objects.get(user=user), actor=user)

    result = cli("whoami", token=token)

    assert result.exit_code == 3
    assert "unknown, revoked or expired" in result.stderr
    assert "portal login" in result.stderr


def test_whoami_shows_the_person_the_teams_and_the_token(cli, demo):
    token = token_of(demo.people["requester"], scopes=["read"], name="ci")

    shown = cli("whoami", token=token)
    data = cli.json("whoami", token=token)

    assert shown.exit_code == 0, shown.output
    assert "requester" in shown.stdout and "churn-modelling" in shown.stdout and "ci-0" in shown.stdout
    assert f"{cli.url} (from environment)" in shown.stdout
    assert data["username"] == "requester" and data["token"] == "ci-0" and data["scopes"] == ["read"]
    assert "churn-modelling" in [team["slug"] for team in data["teams"]]


def test_the_environment_token_wins_over_the_stored_one(cli, demo):
    assert cli("login", "--token", token_of(demo.people["requester"])).exit_code == 0

    data = cli.json("whoami", token=token_of(demo.people["approver"]))

    assert data["username"] == "approver"


def test_logout_forgets_the_token(cli, demo):
    assert cli("login", "--token", token_of(demo.people["requester"])).exit_code == 0

    result = cli("logout")
    after = cli("whoami")

    assert result.exit_code == 0 and "Logged out" in result.stdout
    assert "token" not in json.loads(config_file(cli).read_text())  # the URL stays for the next login
    assert after.exit_code == 3
    assert "not logged in" in after.stderr


def test_an_unreachable_portal_exits_5(cli, demo, unused_tcp_port_url):
    result = cli("whoami", token=token_of(demo.people["requester"]), url=unused_tcp_port_url)

    assert result.exit_code == 5
    assert "Cannot reach the portal" in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def unused_tcp_port_url(monkeypatch):
    import socket

    from portal.cli import client

    monkeypatch.setattr(client, "BACKOFF", 0)  # the new attempts at once
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_usage_errors_exit_2(cli, demo):
    token = token_of(demo.people["requester"])

    no_team = cli("request", "create", "cpu-vm", "--title", "x", token=token)
    bad_set = cli("request", "create", "cpu-vm", "--team", "t", "--title", "x", "--set", "oops", token=token)
    bad_output = cli("--output", "xml", "whoami", token=token)

    assert no_team.exit_code == 2 and "--team" in no_team.stderr
    assert bad_set.exit_code == 2 and "'oops' is not key=value" in bad_set.stderr
    assert bad_output.exit_code == 2


def test_a_portal_that_comes_back_while_the_command_waits_is_reached(cli, demo, monkeypatch):
    """Connection refused, then the portal is there: the command connects again and succeeds."""
    from types import SimpleNamespace
    from urllib.parse import urlsplit

    from portal.cli import client
    from tests.fixtures.tcp_proxy import TcpProxy

    target = urlsplit(cli.url)
    proxy = TcpProxy(target.hostname, target.port)  # its port refuses connections until it starts
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if proxy.listener is None:
            proxy.start()

    monkeypatch.setattr(client, "time", SimpleNamespace(sleep=sleep))
    try:
        result = cli("whoami", token=token_of(demo.people["requester"]), url=f"http://127.0.0.1:{proxy.port}")
    finally:
        proxy.cut()

    assert result.exit_code == 0, result.output
    assert "requester" in result.stdout
    assert waits == [client.BACKOFF]  # refused once, then connected


def test_a_throttled_call_waits_as_the_portal_says_then_goes_on(cli, demo, monkeypatch):
    """Calls past the token's rate get 429 with Retry-After: the command waits that long (here: the wait
    lets the rate window pass) and calls again; a wait longer than it accepts is said, exit 5."""
    from types import SimpleNamespace

    from django.core.cache import cache

    from portal.api.throttling import PerTokenThrottle
    from portal.cli import client

    cache.clear()
    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {"token": "2/min", "session": "2/min",
                                                             "anonymous": "2/min"})
    token = token_of(demo.people["requester"])
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        cache.clear()  # the minute has passed

    monkeypatch.setattr(client, "time", SimpleNamespace(sleep=sleep))
    assert cli("whoami", token=token).exit_code == 0
    assert cli("whoami", token=token).exit_code == 0

    third = cli("whoami", token=token)  # over the rate: waits, then answered

    monkeypatch.setattr(client, "MAX_THROTTLE_WAIT", 1)
    cli("whoami", token=token)
    refused = cli("whoami", token=token)  # over the rate, and the wait is longer than the command accepts

    assert third.exit_code == 0, third.output
    assert "requester" in third.stdout
    assert len(waits) == 1 and 0 < waits[0] <= 60
    assert refused.exit_code == 5
    assert "Too many calls: try again in" in refused.stderr
    cache.clear()


def test_login_asks_for_the_url_when_none_is_known(cli, demo):
    token = token_of(demo.people["requester"])

    result = cli("login", stored=True, input=f"{cli.url}\n{token}\n")

    assert result.exit_code == 0, result.output
    assert "Portal URL" in result.output
    assert json.loads(config_file(cli).read_text()) == {"url": cli.url, "token": token}
