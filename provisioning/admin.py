from django.contrib import admin

from .models import Run


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["id", "item", "action", "status", "phase", "attempt", "worker", "started_at", "finished_at"]
    list_filter = ["status", "action"]
    readonly_fields = [f.name for f in Run._meta.fields]
