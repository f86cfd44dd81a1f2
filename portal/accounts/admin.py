from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import DirectoryRoleMapping, User

admin.site.register(User, UserAdmin)


@admin.register(DirectoryRoleMapping)
class DirectoryRoleMappingAdmin(admin.ModelAdmin):
    """Which directory groups make people requesters, approvers or admins (applied at each directory login)."""

    list_display = ["group", "role", "team"]
    list_filter = ["role", "team"]
    search_fields = ["group", "team__name"]
    autocomplete_fields = ["team"]
