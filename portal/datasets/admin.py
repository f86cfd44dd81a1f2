from django.contrib import admin

from .models import AccessReviewSchedule, Dataset


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    """Read-only: datasets are registered through the portal's pages (one door, with its checks and audit)."""

    list_display = ("name", "team", "data_owner", "classification", "bucket", "prefix", "retention_days")
    list_filter = ("classification", "team")
    search_fields = ("name", "bucket", "prefix")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessReviewSchedule)
class AccessReviewScheduleAdmin(admin.ModelAdmin):
    """How often data owners review the grants on their datasets (one row: quarterly by default)."""

    list_display = ("__str__", "deadline_days", "remind_days_before", "is_active")

    def has_add_permission(self, request):
        return not AccessReviewSchedule.objects.exists()
