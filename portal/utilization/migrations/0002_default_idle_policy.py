"""The default idle policy: a GPU machine whose GPU p95 stays under 10 % for 24 h is idle; stopped 24 h later."""

from django.db import migrations


def add(apps, schema_editor):
    IdlePolicy = apps.get_model("utilization", "IdlePolicy")
    if not IdlePolicy.objects.exists():
        IdlePolicy.objects.create(name="Idle GPU", kind="gpu_vm", metric="gpu", percentile=95, threshold_percent=10,
                                  window_hours=24, grace_hours=24)


class Migration(migrations.Migration):
    dependencies = [("utilization", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
