"""A template version's Terraform module, frozen: published versions never see later edits on disk."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from provisioning.models import ModuleContent
from provisioning.services import store_module
from provisioning.workspace import read_module

from .models import TemplateVersion


def freeze_module(version: TemplateVersion) -> ModuleContent | None:
    """Store the module's files as they are now and pin them on the version (Terraform versions only).
    Called when a version is published; a version pinned once keeps its content."""
    if version.engine != "terraform":
        return None
    if version.module_content_id:
        return version.module_content
    files = read_module(Path(settings.TERRAFORM_MODULES_DIR) / version.module)
    if not files:
        raise FileNotFoundError(f"terraform/modules/{version.module} has no *.tf files")
    content = store_module(files)
    TemplateVersion.objects.filter(pk=version.pk, module_content__isnull=True).update(module_content=content)
    version.refresh_from_db(fields=["module_content"])
    return version.module_content


def frozen_module(version: TemplateVersion) -> ModuleContent | None:
    """The content a run of ``version`` uses (frozen now if the version predates freezing)."""
    return freeze_module(version)
