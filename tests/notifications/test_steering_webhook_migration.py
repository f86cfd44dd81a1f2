"""The migration that retires the steering team's webhook URL field keeps each URL as one of the team's
webhooks (chat text, for ``stage.waiting``), so the chat keeps hearing of waiting requests."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("teams", "0003_team_quota"), ("notifications", "0002_stage_waiting_event")]
AFTER = [("teams", "0004_steering_webhooks_moved")]


def migrate(targets):
    """Migrate to ``targets``; the models as the database now has them (every app's applied migrations, not
    only the targets' ancestors: another app may be ahead of them)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets).apps


def migrate_to_the_newest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_steering_teams_webhook_url_becomes_its_team_webhook(demo):
    try:
        old = migrate(BEFORE)
        Team = old.get_model("teams", "Team")
        Team.objects.filter(slug="finance").update(webhook_url="https://chat.example.org/hooks/finance")

        new = migrate(AFTER)
        hooks = new.get_model("notifications", "TeamWebhook").objects.all()
        assert [(h.team.slug, h.url, h.format, h.events) for h in hooks] == [
            ("finance", "https://chat.example.org/hooks/finance", "text", ["stage.waiting"])]
    finally:
        migrate_to_the_newest()  # the tests after this one need the newest schema
