"""Every write to template versions: draft → published (immutable) → deprecated, each audited."""

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError

from .models import TemplateVersion
from .schema_checks import version_problems

Status = TemplateVersion.Status


def problems_of(version: TemplateVersion) -> list[str]:
    return version_problems(schema=version.parameter_schema, engine=version.engine, module=version.module,
                            fixed_values=version.fixed_values, modules_dir=settings.TERRAFORM_MODULES_DIR)


@transaction.atomic
def publish_version(*, version: TemplateVersion, actor) -> TemplateVersion:
    """Draft → published; from then on the version is immutable and offered to requesters."""
    from .modules import freeze_module

    problems = problems_of(version)
    if problems:
        raise ApplicationError("This version cannot be published: " + " ".join(problems))
    _move(version, Status.DRAFT, Status.PUBLISHED, published_at=timezone.now())
    content = freeze_module(version)  # from now on runs of this version use these files, whatever happens on disk
    record_event(actor=actor, verb="template_version.published", target=version,
                 data={"template": version.template.slug, "number": version.number,
                       "module_content": content.sha256 if content else None})
    return version


@transaction.atomic
def deprecate_version(*, version: TemplateVersion, actor) -> TemplateVersion:
    """Published → deprecated: no new requests; requests that pinned it keep it."""
    _move(version, Status.PUBLISHED, Status.DEPRECATED)
    record_event(actor=actor, verb="template_version.deprecated", target=version,
                 data={"template": version.template.slug, "number": version.number})
    return version


@transaction.atomic
def create_draft_from(*, version: TemplateVersion, actor) -> TemplateVersion:
    """"Editing" a published version: a new draft with the next number and the same content."""
    template = type(version.template).objects.select_for_update().get(pk=version.template_id)
    number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = TemplateVersion.objects.create(
        template=template, number=number, parameter_schema=version.parameter_schema, engine=version.engine,
        module=version.module, fixed_values=version.fixed_values, default_lifetime_days=version.default_lifetime_days,
    )
    record_event(actor=actor, verb="template_version.drafted", target=draft,
                 data={"template": template.slug, "number": number, "from": version.number})
    return draft


def _move(version: TemplateVersion, old: str, new: str, **fields) -> None:
    """The version's status door (TRANSITIONS beside the model); the caller writes the audit row."""
    if version.status != old or new not in TemplateVersion.TRANSITIONS[old]:
        raise ApplicationError(f"Only a {old} version can become {new}; {version} is {version.status}.")
    moved = TemplateVersion.objects.filter(pk=version.pk, status=old).update(
        status=new, updated_at=timezone.now(), **fields
    )
    if moved != 1:
        raise ApplicationError(f"Only a {old} version can become {new}; {version} is {version.status}.")
    version.refresh_from_db()
