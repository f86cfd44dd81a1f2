from .models import AuditEvent


def events_for(*targets):
    """Events about any of ``targets``, oldest first (a request's timeline)."""
    from django.db.models import Q

    query = Q(pk__in=[])
    for target in targets:
        query |= Q(object_type=target._meta.label_lower, object_id=str(target.pk))
    return AuditEvent.objects.filter(query).select_related("actor")
