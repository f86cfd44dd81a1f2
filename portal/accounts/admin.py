from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from portal.core.errors import PermissionDenied

from .models import IdentityRoleMapping, PersonalAccessToken, User
from .tokens import revoke_token

admin.site.register(User, UserAdmin)


@admin.register(IdentityRoleMapping)
class IdentityRoleMappingAdmin(admin.ModelAdmin):
    """Which directory groups (LDAP/AD login) and single sign-on claim values (OpenID Connect login) make
    people requesters, approvers or admins (applied at each login through that source)."""

    list_display = ["group", "source", "role", "team"]
    list_filter = ["source", "role", "team"]
    search_fields = ["group", "team__name"]
    autocomplete_fields = ["team"]


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    """Everyone's tokens, to find and revoke one (a leaked token, a leaver). Read-only: a token is made by its
    owner on their own page; the admin never sees more than its prefix (the digest is not shown)."""

    list_display = ["prefix", "name", "user", "scopes", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["prefix", "name", "user__username"]
    fields = ["prefix", "name", "user", "scopes", "expires_at", "last_used_at", "revoked_at", "created_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the audit trail keeps pointing at it

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        done = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                revoke_token(token=token, actor=request.user)
                done += 1
            except PermissionDenied as refused:
                self.message_user(request, str(refused), messages.ERROR)
                return
        self.message_user(request, f"{done} token(s) revoked.", messages.SUCCESS)
