from django.contrib import admin, messages

from portal.core.errors import ApplicationError

from .models import ResourceTemplate, TemplateVersion
from .services import publish_version


class TemplateVersionInline(admin.TabularInline):
    model = TemplateVersion
    extra = 0
    fields = ["number", "status", "module", "published_at"]
    readonly_fields = ["status", "published_at"]
    show_change_link = True


@admin.register(ResourceTemplate)
class ResourceTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "owner"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TemplateVersionInline]


@admin.register(TemplateVersion)
class TemplateVersionAdmin(admin.ModelAdmin):
    list_display = ["template", "number", "status", "module", "published_at"]
    list_filter = ["status", "template__kind"]
    readonly_fields = ["status", "published_at"]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.status != TemplateVersion.Status.DRAFT:
            return [f.name for f in TemplateVersion._meta.fields]
        return self.readonly_fields

    @admin.action(description="Publish selected draft versions")
    def publish(self, request, queryset):
        for version in queryset:
            try:
                publish_version(version=version, actor=request.user)
                self.message_user(request, f"Published {version}.")
            except ApplicationError as error:
                self.message_user(request, f"{version}: {error.message}", level=messages.ERROR)
