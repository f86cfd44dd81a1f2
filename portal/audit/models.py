from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Append-only record of an important write; created only through ``record_event``."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=60, db_index=True)  # e.g. "request.submitted"
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)
