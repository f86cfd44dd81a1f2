"""Finding 2: the embedded run (``portal.settings.local``) has DEBUG off unless the person asks for it
(``PORTAL_DEBUG=1``), still serves its static files (WhiteNoise), and answers errors with the
portal's own pages — never Django's debug pages, which show settings and code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

REPO = Path(__file__).resolve().parents[2]
# Run in a fresh process on the embedded settings: what ./scripts/run gets.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")  # an allowed host of the embedded run
css, missing = client.get("/static/core/portal.css"), client.get("/no-such-page/")
print(json.dumps({"debug": settings.DEBUG, "css": [css.status_code, b"".join(css.streaming_content).decode()[:200]],
                  "missing": [missing.status_code, missing.content.decode()]}))
"""


def embedded(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DATABASE_URL", "REDIS_URL", "PORTAL_DEBUG", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE")}
    clean.update(DJANGO_SETTINGS_MODULE="portal.settings.local", PORTAL_DATA_DIR=str(tmp_path), **env)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=clean, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_debug_is_off_by_default_and_static_files_and_error_pages_are_ours(tmp_path):
    seen = embedded(tmp_path)
    assert seen["debug"] is False
    status, css = seen["css"]
    assert status == 200 and css.strip(), "the stylesheet must be served without DEBUG"
    status, page = seen["missing"]
    assert status == 404 and "We could not find that page" in page
    assert "URLconf" not in page and "DEBUG = True" not in page  # Django's technical 404


@pytest.mark.parametrize(("value", "debug"), [("1", True), ("0", False), ("", False)])
def test_debug_only_when_asked_for(tmp_path, value, debug):
    assert embedded(tmp_path, PORTAL_DEBUG=value)["debug"] is debug


def test_a_form_posted_without_its_csrf_token_gets_our_page(db):
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403 and "This form has expired" in response.content.decode()


@pytest.mark.parametrize(("template", "text"), [("400.html", "That did not work"),
                                                ("403.html", "You are not allowed to do that"),
                                                ("404.html", "We could not find that page"),
                                                ("500.html", "Something went wrong on our side")])
def test_every_error_has_its_page(template, text, db):
    from django.template.loader import render_to_string

    assert text in render_to_string(template)
