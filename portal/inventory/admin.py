from django.contrib import admin

from .models import ProvisionedResource


@admin.register(ProvisionedResource)
class ProvisionedResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "team", "status", "drift_status", "last_drift_check_at", "created_at",
                    "expires_at"]
    list_filter = ["kind", "status", "drift_status", "team"]
    exclude = ["outputs"]  # sealed values: shown masked below
    readonly_fields = ["item", "team", "template_version", "kind", "name", "masked_outputs", "status",
                       "expires_at", "last_drift_check_at", "drift_status", "drift_summary", "drift_detected_at",
                       "drift_accepted_by", "drift_accepted_at", "destroyed_at"]

    @admin.display(description="Outputs")
    def masked_outputs(self, obj):
        return obj.display_outputs
