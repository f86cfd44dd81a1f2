"""Published (and deprecated) Terraform versions get their module frozen as the files are now; from then
on edits of terraform/modules/ never change what they plan or apply."""

from pathlib import Path

from django.conf import settings
from django.db import migrations

from provisioning.workspace import module_hash, read_module


def freeze(apps, schema_editor):
    TemplateVersion = apps.get_model("catalog", "TemplateVersion")
    ModuleContent = apps.get_model("provisioning", "ModuleContent")
    versions = TemplateVersion.objects.filter(engine="terraform", status__in=["published", "deprecated"],
                                              module_content__isnull=True)
    for version in versions:
        files = read_module(Path(settings.TERRAFORM_MODULES_DIR) / version.module)
        if not files:
            continue  # a module that is gone: the version's next run says so
        content, _ = ModuleContent.objects.get_or_create(sha256=module_hash(files), defaults={"files": files})
        TemplateVersion.objects.filter(pk=version.pk).update(module_content=content)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0005_frozen_module_content"),
    ]

    operations = [migrations.RunPython(freeze, migrations.RunPython.noop)]
