"""A template version's Terraform module or copier scaffold, frozen: published versions never see later
edits on disk."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from provisioning.models import ModuleContent
from provisioning.scaffold import read_scaffold
from provisioning.services import store_module
from provisioning.workspace import read_module

from .models import TemplateVersion


def files_on_disk(version: TemplateVersion) -> dict[str, str]:
    """The version's module (or scaffold) files as the installation ships them now."""
    if version.engine == "scaffold":
        return read_scaffold(Path(settings.PORTAL_SCAFFOLDS_DIR) / version.module)
    if version.engine == "terraform":
        return read_module(Path(settings.TERRAFORM_MODULES_DIR) / version.module)
    return {}


def freeze_module(version: TemplateVersion) -> ModuleContent | None:
    """Store the module's (or scaffold's) files as they are now and pin them on the version. Called when a
    version is published; a version pinned once keeps its content. The directory engine has no files."""
    if version.engine not in ("terraform", "scaffold"):
        return None
    if version.module_content_id:
        return version.module_content
    files = files_on_disk(version)
    if not files:
        if version.engine == "scaffold":
            return None  # no scaffold there (yet): its runs fail saying so, as before freezing
        raise FileNotFoundError(f"terraform/modules/{version.module} has no *.tf files")
    content = store_module(files)
    TemplateVersion.objects.filter(pk=version.pk, module_content__isnull=True).update(module_content=content)
    version.refresh_from_db(fields=["module_content"])
    return version.module_content


def frozen_module(version: TemplateVersion) -> ModuleContent | None:
    """The content a run of ``version`` uses (frozen now if the version predates freezing)."""
    return freeze_module(version)
