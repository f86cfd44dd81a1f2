"""A steering team's webhook URL (a field on the team until now) becomes one of its team webhooks: chat text,
for ``stage.waiting`` — one way to post to a team."""

from django.db import migrations


def move(apps, schema_editor):
    Team = apps.get_model("teams", "Team")
    TeamWebhook = apps.get_model("notifications", "TeamWebhook")
    for team in Team.objects.exclude(webhook_url=""):
        TeamWebhook.objects.get_or_create(team=team, url=team.webhook_url, defaults={
            "name": "Approvals (moved from the team's settings)", "format": "text", "events": ["stage.waiting"]})


def back(apps, schema_editor):
    Team = apps.get_model("teams", "Team")
    TeamWebhook = apps.get_model("notifications", "TeamWebhook")
    for hook in TeamWebhook.objects.filter(events=["stage.waiting"], format="text"):
        Team.objects.filter(pk=hook.team_id, webhook_url="").update(webhook_url=hook.url)
        hook.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_stage_waiting_event"),
        ("teams", "0003_team_quota"),
    ]

    operations = [migrations.RunPython(move, back)]
