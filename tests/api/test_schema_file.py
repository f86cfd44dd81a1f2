"""The OpenAPI document is checked into the repo (portal/api/openapi.yaml), so a change of the API's
contract shows in review: the served schema must equal it."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

CHECKED_IN = Path(__file__).resolve().parents[2] / "portal" / "api" / "openapi.yaml"
UPDATE = ("DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python manage.py spectacular "
          "--file portal/api/openapi.yaml")


def test_the_checked_in_schema_is_the_served_one(tmp_path, db):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(generated), validate=True, fail_on_warn=True)
    assert CHECKED_IN.exists(), f"portal/api/openapi.yaml is missing; make it with: {UPDATE}"
    assert generated.read_text() == CHECKED_IN.read_text(), (
        f"The API's contract changed: review the difference and update the file with: {UPDATE}")
