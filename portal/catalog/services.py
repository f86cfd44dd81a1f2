from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError

from .models import TemplateVersion
from .validation import SchemaError, check_schema


@transaction.atomic
def publish_version(*, version: TemplateVersion, actor) -> TemplateVersion:
    """Draft → published; from then on the version is immutable."""
    try:
        check_schema(version.parameter_schema)
    except SchemaError as error:
        raise ApplicationError(f"The parameter schema is not valid: {error.message}")
    updated = TemplateVersion.objects.filter(pk=version.pk, status=TemplateVersion.Status.DRAFT).update(
        status=TemplateVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    if updated != 1:
        raise ApplicationError("Only a draft version can be published.")
    version.refresh_from_db()
    record_event(actor=actor, verb="template_version.published", target=version)
    return version
