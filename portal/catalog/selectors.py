from .models import COMPOSED_KINDS, Bundle, ResourceTemplate, TemplateVersion


def offered_versions():
    """The newest published version of every template, for the catalog."""
    versions = (TemplateVersion.objects.filter(status=TemplateVersion.Status.PUBLISHED)
                .exclude(template__kind__in=COMPOSED_KINDS).select_related("template"))
    newest: dict[int, TemplateVersion] = {}
    for version in versions.order_by("template__name", "-number"):
        newest.setdefault(version.template_id, version)
    return list(newest.values())


def offered_version_for(slug: str) -> TemplateVersion | None:
    template = ResourceTemplate.objects.filter(slug=slug).exclude(kind__in=COMPOSED_KINDS).first()
    return template.published_version() if template else None


def offered_bundles():
    return Bundle.objects.filter(is_active=True).prefetch_related("items__template").order_by("name")


def bundle_versions(bundle: Bundle) -> list[tuple[str, TemplateVersion | None]]:
    """(section title, version to request) per bundle item; the version is None when none is offered:
    a pinned version that is no longer published, or a template without a published version."""
    sections = []
    for item in bundle.items.select_related("template", "version__template"):
        if item.version_id:
            version = item.version if item.version.status == TemplateVersion.Status.PUBLISHED else None
        else:
            version = item.template.published_version()
        sections.append((item.label or item.template.name, version))
    return sections


def bundle_unavailable(bundle: Bundle, sections) -> str:
    """Why ``bundle`` (with its ``bundle_versions``) cannot be requested now, or "" when it can."""
    missing = [title for title, version in sections if version is None]
    if missing or not sections:
        return (f"The bundle “{bundle}” cannot be requested now: {', '.join(missing) or 'it is empty'} has no "
                "published version. Ask an admin.")
    return ""


def requestable_version(pk) -> TemplateVersion | None:
    """A published version by primary key (for the live estimate); None for anything else."""
    try:
        return (TemplateVersion.objects.select_related("template").exclude(template__kind__in=COMPOSED_KINDS)
                .get(pk=int(pk), status="published"))
    except (TemplateVersion.DoesNotExist, TypeError, ValueError):
        return None
