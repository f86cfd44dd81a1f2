from .models import AuditEvent


def record_event(*, actor, verb: str, target, data: dict | None = None) -> AuditEvent:
    """Write one audit row; call it inside the transaction of the write it records.

    ``target`` may be None for an event about nothing stored (a failed login with an unknown username).
    """
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
