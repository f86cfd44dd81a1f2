"""Production settings: refuse to start without what they need (one message naming all of it), pass
``manage.py check --deploy`` without a warning, and send HTTPS, HSTS and CSP headers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from portal.settings.requirements import REQUIRED, production_problems

REPO = Path(__file__).resolve().parents[2]
GOOD_ENV = {
    "DJANGO_SECRET_KEY": "k3Y-" + "x7Qp9zR2mW4vT8nB6cL1hJ5dF0gS3aE" * 2,
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal_prod_check",
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "PORTAL_SECRETS_KEY": Fernet.generate_key().decode(),
    "PORTAL_BASE_URL": "https://portal.example.org",
}


def run_production(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """A fresh process on the production settings with only ``env`` (plus PATH and a data dir)."""
    clean = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PORTAL_DATA_DIR": str(tmp_path / "data"),
             "DJANGO_SETTINGS_MODULE": "portal.settings.production", **env}
    return subprocess.run([sys.executable, *args], cwd=REPO, env=clean, capture_output=True, text=True,
                          timeout=120, check=False)


def test_check_deploy_has_nothing_to_say(tmp_path):
    result = run_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], GOOD_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert not (tmp_path / "data" / "broker").exists()  # Redis is the broker: no file broker made


def test_without_its_settings_it_refuses_to_start_with_one_message_naming_them_all(tmp_path):
    result = run_production(["manage.py", "check"], {"DJANGO_ALLOWED_HOSTS": "portal.example.org"}, tmp_path)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: The production settings")
    for name in set(REQUIRED) - {"DJANGO_ALLOWED_HOSTS"}:
        assert name in last, name
    assert "DJANGO_ALLOWED_HOSTS" not in last
    assert "KeyError" not in result.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was written


@pytest.mark.parametrize(("overrides", "problem"), [
    ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY is too weak"),
    ({"DJANGO_SECRET_KEY": "insecure-local-only-key-change-me" * 2}, "DJANGO_SECRET_KEY is too weak"),
    ({"PORTAL_SECRETS_KEY": "not-a-fernet-key"}, "PORTAL_SECRETS_KEY is not a Fernet key"),
    ({"REDIS_URL": "  "}, "not set: REDIS_URL"),
])
def test_an_unusable_value_is_named_too(overrides, problem):
    problems = production_problems({**GOOD_ENV, **overrides})
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_production_answers_with_https_redirect_hsts_and_csp(tmp_path):
    script = """
import json, django
django.setup()
from django.test import Client
plain = Client().get("/login/", HTTP_HOST="portal.example.org")
secure = Client().get("/login/", HTTP_HOST="portal.example.org", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({"plain": [plain.status_code, plain.headers.get("Location")],
                  "secure": [secure.status_code, dict(secure.headers)]}))
"""
    result = run_production(["-c", script], GOOD_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers["plain"] == [301, "https://portal.example.org/login/"]
    status, headers = answers["secure"]
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp


def test_proxy_settings_come_from_the_environment(tmp_path):
    env = {**GOOD_ENV, "PORTAL_SSL_REDIRECT": "false", "PORTAL_HSTS_SECONDS": "600"}
    script = ("import django; django.setup(); from django.conf import settings as s; "
              "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)")
    result = run_production(["-c", script], env, tmp_path)
    assert result.stdout.split() == ["False", "600"], result.stderr


def test_every_environment_enforces_the_csp(client, db):
    """Not report-only: the browser tests (tests/browser) see violations as errors."""
    response = client.get("/login/")
    assert "Content-Security-Policy-Report-Only" not in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_production_with_single_sign_on_and_local_passwords_off_passes_the_deploy_check(tmp_path):
    sso = {"PORTAL_OIDC_ISSUER": "https://idp.example.org/realms/portal", "PORTAL_OIDC_CLIENT_ID": "portal",
           "PORTAL_OIDC_CLIENT_SECRET": "s3cret-from-the-idp", "PORTAL_LOCAL_LOGIN": "false"}
    result = run_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {**GOOD_ENV, **sso},
                            tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    result = run_production(["-c", "import django, json; django.setup(); from django.conf import settings as s; "
                             "print(json.dumps(s.AUTHENTICATION_BACKENDS))"], {**GOOD_ENV, **sso}, tmp_path)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "axes.backends.AxesStandaloneBackend", "portal.accounts.single_sign_on.SingleSignOnBackend",
        "portal.accounts.local_login.NoPasswordBackend"]


@pytest.mark.parametrize(("env", "problem"), [
    ({"PORTAL_OIDC_ISSUER": "https://idp.example.org"}, "accounts.E004"),
    ({"PORTAL_OIDC_ISSUER": "http://idp.example.org", "PORTAL_OIDC_CLIENT_ID": "p",
      "PORTAL_OIDC_CLIENT_SECRET": "s"}, "accounts.W001"),
    ({"PORTAL_LOCAL_LOGIN": "false"}, "accounts.E006"),
])
def test_an_unusable_login_setup_is_named_by_the_deploy_check(tmp_path, env, problem):
    result = run_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {**GOOD_ENV, **env},
                            tmp_path)
    assert result.returncode != 0 and problem in result.stdout + result.stderr
