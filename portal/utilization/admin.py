from django.contrib import admin

from .models import IdlePolicy


@admin.register(IdlePolicy)
class IdlePolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "metric", "percentile", "threshold_percent", "window_hours", "grace_hours",
                    "is_active")
    list_filter = ("kind", "metric", "is_active")
