from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import IdentityRoleMapping, User

admin.site.register(User, UserAdmin)


@admin.register(IdentityRoleMapping)
class IdentityRoleMappingAdmin(admin.ModelAdmin):
    """Which directory groups (LDAP/AD login) and single sign-on claim values (OpenID Connect login) make
    people requesters, approvers or admins (applied at each login through that source)."""

    list_display = ["group", "source", "role", "team"]
    list_filter = ["source", "role", "team"]
    search_fields = ["group", "team__name"]
    autocomplete_fields = ["team"]
