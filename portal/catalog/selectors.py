from .models import ResourceTemplate, TemplateVersion


def offered_versions():
    """The newest published version of every template, for the catalog."""
    versions = TemplateVersion.objects.filter(status=TemplateVersion.Status.PUBLISHED).select_related("template")
    newest: dict[int, TemplateVersion] = {}
    for version in versions.order_by("template__name", "-number"):
        newest.setdefault(version.template_id, version)
    return list(newest.values())


def offered_version_for(slug: str) -> TemplateVersion | None:
    template = ResourceTemplate.objects.filter(slug=slug).first()
    return template.published_version() if template else None
