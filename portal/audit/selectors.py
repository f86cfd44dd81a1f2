from .models import AuditEvent


def events_for(*targets):
    """Events about any of ``targets``, oldest first (a request's timeline)."""
    from django.db.models import Q

    query = Q(pk__in=[])
    for target in targets:
        query |= Q(object_type=target._meta.label_lower, object_id=str(target.pk))
    return AuditEvent.objects.filter(query).select_related("actor")


def filtered_events(*, since=None, until=None, actor: str = "", verb: str = "", target_type: str = "",
                    target_id: str = ""):
    """The audit trail between ``since`` (included) and ``until`` (excluded), by the person with that
    username, with that verb, about that target — each filter only when given. Unordered."""
    events = AuditEvent.objects.select_related("actor")
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    if actor:
        events = events.filter(actor__username=actor)
    if verb:
        events = events.filter(verb=verb)
    if target_type:
        events = events.filter(object_type=target_type)
    if target_id:
        events = events.filter(object_id=str(target_id))
    return events
