from .models import AuditEvent


def record_event(*, actor, verb: str, target, data: dict | None = None) -> AuditEvent:
    """Write one audit row; call it inside the transaction of the write it records."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        data=data or {},
    )
