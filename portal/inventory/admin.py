from django.contrib import admin

from .models import ProvisionedResource


@admin.register(ProvisionedResource)
class ProvisionedResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "team", "status", "created_at"]
    list_filter = ["kind", "status", "team"]
    readonly_fields = ["item", "team", "template_version", "kind", "name", "outputs", "status"]
