import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from portal.audit.services import record_event
from portal.core.errors import ApplicationError

from .decision_tree import FACTS, OPERATORS, RS, reachable_rs, tree_problems, walk
from .models import DataProduct, DecisionTree, EnvironmentMapping, Lesson, Wave
from .selectors import facts_of, published_tree
from .services import draft_tree_from, publish_tree

TRIAL_SIZE = 50


class DecisionTreeForm(forms.ModelForm):
    definition = forms.JSONField(widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "class": "vLargeTextField"}),
                                 help_text="Facts: " + "; ".join(f"{k} ({v})" for k, v in FACTS.items())
                                 + ". Operators: " + ", ".join(OPERATORS) + ". Rs: " + ", ".join(RS) + ".")

    class Meta:
        model = DecisionTree
        fields = ["number", "note", "definition"]


@admin.register(DecisionTree)
class DecisionTreeAdmin(admin.ModelAdmin):
    form = DecisionTreeForm
    list_display = ["number", "status", "note", "published_at"]
    actions = ["publish", "new_draft"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["status", "published_at", "checks", "trial"]
        if obj and obj.status != DecisionTree.Status.DRAFT:
            return ["number", "note", "pretty_definition", *fixed]
        return fixed

    def get_fields(self, request, obj=None):
        if obj and obj.status != DecisionTree.Status.DRAFT:
            return ["number", "note", "status", "published_at", "pretty_definition", "checks", "trial"]
        return ["number", "note", "definition", "status", "published_at", "checks", "trial"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == DecisionTree.Status.DRAFT

    @admin.display(description="Definition")
    def pretty_definition(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.definition, indent=2, ensure_ascii=False))

    @admin.display(description="Checks")
    def checks(self, obj):
        if obj is None or obj.pk is None:
            return "Save the draft to check it."
        problems = tree_problems(obj.definition)
        if problems:
            return format_html_join("", '<p class="errornote">{}</p>', ((p,) for p in problems))
        missing = sorted(set(RS) - reachable_rs(obj.definition))
        return ("The tree is well formed; every R is reachable." if not missing
                else f"The tree is well formed, but these Rs are never answered: {', '.join(missing)}.")

    @admin.display(description=f"Trial on products (the first {TRIAL_SIZE})")
    def trial(self, obj):
        """What this version answers for the products, beside what the published version answers."""
        if obj is None or obj.pk is None or tree_problems(obj.definition):
            return "A well-formed tree is tried here on the catalogued products."
        current = published_tree()
        rows = []
        for product in DataProduct.objects.select_related("team").order_by("team__name", "name")[:TRIAL_SIZE]:
            facts = facts_of(product)
            answer = walk(obj.definition, facts)
            before = walk(current.definition, facts).r if current and current.pk != obj.pk else "—"
            changed = "changed" if before not in ("—", answer.r) else ""
            rows.append((changed, product.team.name, product.name, before, answer.r, " → ".join(answer.reasons)))
        if not rows:
            return "No products yet: enter some (or run seed_demo) to try the tree on them."
        body = format_html_join("", '<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td><strong>{}</strong></td>'
                                    '<td>{}</td></tr>', rows)
        changed = sum(1 for row in rows if row[0])
        return format_html('<p id="tree-trial-summary">{} product{} tried; {} answer{} differently from the published '
                           'version.</p><table id="tree-trial"><thead><tr><th>Team</th><th>Product</th>'
                           '<th>Published</th><th>This version</th><th>Reasons</th></tr></thead><tbody>{}</tbody>'
                           '</table>', len(rows), "" if len(rows) == 1 else "s", changed,
                           "s" if changed == 1 else "", body)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_event(actor=request.user, verb="decision_tree.saved", target=obj,
                     data={"number": obj.number, "changed": form.changed_data})

    def _apply(self, request, service, tree):
        try:
            result = service(actor=request.user, tree=tree)
        except ApplicationError as error:
            self.message_user(request, f"{tree}: {error.message}", level=messages.ERROR)
            return None
        self.message_user(request, f"{result}.")
        return result

    @admin.action(description="Publish the selected draft")
    def publish(self, request, queryset):
        for tree in queryset:
            self._apply(request, publish_tree, tree)

    @admin.action(description="New draft from the selected version")
    def new_draft(self, request, queryset):
        for tree in queryset:
            self._apply(request, draft_tree_from, tree)


@admin.register(EnvironmentMapping)
class EnvironmentMappingAdmin(admin.ModelAdmin):
    list_display = ["r", "product_kind", "for_gpus", "template", "bundle"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_event(actor=request.user, verb="environment_mapping.saved", target=obj, data={"mapping": str(obj)})


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "is_pilot"]


@admin.register(DataProduct)
class DataProductAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "kind", "status", "r", "wave"]
    list_filter = ["status", "r", "kind", "team"]
    search_fields = ["name", "owner"]
    # Products change through the portal's pages (services, audited); the admin only shows them.

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "r", "product_kind", "author", "created_at"]
    list_filter = ["r", "product_kind"]
    search_fields = ["title", "body"]
