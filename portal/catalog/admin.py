import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from portal.audit.services import record_event
from portal.core.errors import ApplicationError

from .diffs import version_diff
from .forms import ParameterForm
from .models import Bundle, BundleItem, Price, ResourceTemplate, TemplateVersion
from .schema_checks import version_problems
from .services import create_draft_from, deprecate_version, publish_version

JSON_WIDGET = {"style": "font-family: ui-monospace, monospace; width: 95%", "spellcheck": "false"}


class PrettyJSONField(forms.JSONField):
    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class TemplateVersionForm(forms.ModelForm):
    """The schema editor: JSON textareas, refused on save with what is wrong."""

    parameter_schema = PrettyJSONField(widget=forms.Textarea(attrs={"rows": 30, **JSON_WIDGET}),
                                       help_text="JSON Schema of the values a requester fills in.")
    fixed_values = PrettyJSONField(required=False, widget=forms.Textarea(attrs={"rows": 6, **JSON_WIDGET}),
                                   help_text="Values set by admins, not requesters.")

    class Meta:
        model = TemplateVersion
        fields = ["template", "number", "engine", "module", "parameter_schema", "fixed_values", "default_lifetime_days"]

    def clean_fixed_values(self):
        value = self.cleaned_data["fixed_values"]
        return {} if value is None else value

    def clean(self):
        cleaned = super().clean()
        if "parameter_schema" in cleaned and "module" in cleaned:
            problems = version_problems(
                schema=cleaned["parameter_schema"], engine=cleaned.get("engine", "terraform"),
                module=cleaned["module"], fixed_values=cleaned.get("fixed_values", {}),
                modules_dir=settings.TERRAFORM_MODULES_DIR,
            )
            for problem in problems:
                self.add_error("module" if problem.startswith(("There is no", "Module ")) else
                               "fixed_values" if problem.startswith("Fixed values") else "parameter_schema", problem)
        return cleaned


class TemplateVersionInline(admin.TabularInline):
    model = TemplateVersion
    extra = 0
    fields = ["number", "status", "engine", "module", "published_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ResourceTemplate)
class ResourceTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "owner"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TemplateVersionInline]


ACTIONS = {"publish": publish_version, "deprecate": deprecate_version, "new-draft": create_draft_from}


@admin.register(TemplateVersion)
class TemplateVersionAdmin(admin.ModelAdmin):
    form = TemplateVersionForm
    list_display = ["template", "number", "status", "engine", "module", "published_at"]
    list_filter = ["status", "template__kind"]
    readonly_fields = ["status", "published_at"]
    actions = ["publish", "deprecate", "new_draft"]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.status != TemplateVersion.Status.DRAFT:
            return [*TemplateVersionForm.Meta.fields, "status", "published_at"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == TemplateVersion.Status.DRAFT

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data or not change:
            record_event(actor=request.user, verb="template_version.saved", target=obj,
                         data={"template": obj.template.slug, "number": obj.number, "changed": form.changed_data})

    def get_urls(self):
        own = [path("<int:pk>/do/<slug:action>/", self.admin_site.admin_view(self.run_action),
                    name="catalog_templateversion_action")]
        return own + super().get_urls()

    def run_action(self, request, pk, action):
        return require_POST(self._run_action)(request, pk, action)

    def _run_action(self, request, pk, action):
        version = get_object_or_404(TemplateVersion, pk=pk)
        if action not in ACTIONS or not self.has_change_permission(request, version):
            return redirect("admin:catalog_templateversion_change", pk)
        result = self._apply(request, ACTIONS[action], version)
        target = result.pk if result is not None else pk
        return redirect("admin:catalog_templateversion_change", target)

    def _apply(self, request, service, version):
        try:
            result = service(version=version, actor=request.user)
        except ApplicationError as error:
            self.message_user(request, f"{version}: {error.message}", level=messages.ERROR)
            return None
        self.message_user(request, f"{result}: now {result.get_status_display().lower()}.")
        return result

    @admin.action(description="Publish selected draft versions")
    def publish(self, request, queryset):
        for version in queryset:
            self._apply(request, publish_version, version)

    @admin.action(description="Deprecate selected versions (no new requests)")
    def deprecate(self, request, queryset):
        for version in queryset:
            self._apply(request, deprecate_version, version)

    @admin.action(description="New draft from the selected version")
    def new_draft(self, request, queryset):
        for version in queryset:
            self._apply(request, create_draft_from, version)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, object_id)
        extra = {**(extra_context or {})}
        if version is not None:
            extra.update(self._preview_and_diff(request, version))
        return super().change_view(request, object_id, form_url, extra_context=extra)

    @staticmethod
    def _preview_and_diff(request, version) -> dict:
        siblings = list(version.template.versions.exclude(pk=version.pk).order_by("-number"))
        wanted = request.GET.get("compare", "")
        older = [v for v in siblings if v.number < version.number]
        other = next((v for v in siblings if str(v.number) == wanted), older[0] if older else None)
        try:
            preview = ParameterForm(schema=version.parameter_schema, prefix="preview")
        except Exception as error:  # a broken draft must still open: say why there is no preview
            preview, preview_error = None, str(error)
        else:
            preview_error = ""
        return {
            "preview": preview, "preview_error": preview_error, "siblings": siblings, "compare_with": other,
            "diff": version_diff(other, version) if other else [],
            "action_urls": {a.replace("-", "_"): reverse("admin:catalog_templateversion_action", args=[version.pk, a])
                            for a in ACTIONS},
        }


class BundleItemForm(forms.ModelForm):
    class Meta:
        model = BundleItem
        fields = ["position", "template", "version", "label"]

    def clean(self):
        cleaned = super().clean()
        version, template = cleaned.get("version"), cleaned.get("template")
        if version and template and version.template_id != template.pk:
            self.add_error("version", f"{version} is not a version of {template}.")
        return cleaned


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    form = BundleItemForm
    extra = 1


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BundleItemInline]


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = ["key", "usd", "unit", "description", "updated_at"]
    list_editable = ["usd"]
    list_filter = ["unit"]
    search_fields = ["key", "description"]
