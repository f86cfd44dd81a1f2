"""Runs become snapshots: workspace, engine, module content, variables, saved plans, settlement."""

import django.db.models.deletion
from django.db import migrations, models


def fill_existing_runs(apps, schema_editor):
    """Runs from before: their workspace (one per item, as their working dir was), engine and module from
    the item's version; every run that already ended counts as settled (the old code settled it)."""
    Run = apps.get_model("provisioning", "Run")
    Workspace = apps.get_model("provisioning", "Workspace")
    for run in Run.objects.select_related("item__template_version").iterator():
        workspace, _ = Workspace.objects.get_or_create(key=f"item-{run.item_id}")
        version = run.item.template_version
        Run.objects.filter(pk=run.pk).update(
            workspace=workspace, engine=version.engine, module=version.module,
            settled_at=run.finished_at if run.status in ("succeeded", "failed", "cancelled") else None)


class Migration(migrations.Migration):

    dependencies = [
        ("onboarding", "0003_change_requests"),
        ("provisioning", "0006_run_drift_check_and_reconcile"),
    ]

    operations = [
        migrations.CreateModel(
            name="ModuleContent",
            fields=[
                ("sha256", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("files", models.JSONField(help_text="{file name: text}")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="Workspace",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(help_text="e.g. item-17", max_length=100, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.AddField(
            model_name="run", name="applied_plan_of",
            field=models.ForeignKey(editable=False, help_text="The preview whose saved plan this run applied.",
                                    null=True, blank=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="provisioning.run"),
        ),
        migrations.AddField(
            model_name="run", name="engine",
            field=models.CharField(default="", help_text="terraform, scaffold or directory", max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="run", name="module",
            field=models.CharField(default="", help_text="Terraform module, scaffold or directory profile.",
                                   max_length=60),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="run", name="saved_plan",
            field=models.BinaryField(blank=True, editable=False, null=True,
                                     help_text="A preview's plan file, sealed: the approved apply applies it."),
        ),
        migrations.AddField(
            model_name="run", name="settled_at",
            field=models.DateTimeField(blank=True, editable=False, null=True,
                                       help_text="When the portal acted on how the run ended (exactly once)."),
        ),
        migrations.AddField(
            model_name="run", name="variables",
            field=models.JSONField(blank=True, default=dict,
                                   help_text="Everything the engine applies; sensitive values sealed."),
        ),
        migrations.AddField(
            model_name="run", name="module_content",
            field=models.ForeignKey(blank=True, help_text="The frozen module files it runs (Terraform).", null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="provisioning.modulecontent"),
        ),
        migrations.AddField(
            model_name="run", name="workspace",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="runs",
                                    to="provisioning.workspace"),
        ),
        migrations.RunPython(fill_existing_runs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="run", name="workspace",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="runs",
                                    to="provisioning.workspace"),
        ),
        migrations.AddIndex(
            model_name="run", index=models.Index(fields=["workspace", "status"], name="provisionin_workspa_a14ac1_idx"),
        ),
        migrations.AddIndex(
            model_name="run", index=models.Index(fields=["status", "settled_at"], name="provisionin_status_08f73d_idx"),
        ),
    ]
