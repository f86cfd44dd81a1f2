from django.contrib import admin

from portal.audit.services import record_event

from .models import ApprovalRule, ApprovalStage, Decision, Delegation, RuleCondition


class RuleConditionInline(admin.TabularInline):
    model = RuleCondition
    extra = 1
    fields = ["fact", "operator", "value"]


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(admin.ModelAdmin):
    """Rules are data: a request gets a stage for ``team`` when all the rule's conditions hold."""

    list_display = ["name", "team", "conditions_text", "required_approvals", "group", "sla_hours", "is_active"]
    list_filter = ["team", "is_active", "group"]
    search_fields = ["name", "reason"]
    inlines = [RuleConditionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("team").prefetch_related("conditions")

    @admin.display(description="Applies when")
    def conditions_text(self, rule):
        return " and ".join(str(c) for c in rule.conditions.all()) or "always"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        rule = form.instance
        record_event(actor=request.user, verb="approval_rule.saved", target=rule, data={
            "team": rule.team.slug, "active": rule.is_active, "group": rule.group,
            "required_approvals": rule.required_approvals, "sla_hours": rule.sla_hours,
            "conditions": [[c.fact, c.operator, c.value] for c in rule.conditions.all()]})


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    fields = readonly_fields = ["actor", "on_behalf_of", "outcome", "comment", "status", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ApprovalStage)
class ApprovalStageAdmin(admin.ModelAdmin):
    list_display = ["request", "team", "round", "group", "status", "required_approvals", "due_at", "escalated_at"]
    list_filter = ["status", "team"]
    readonly_fields = ["request", "team", "position", "reason", "status", "round", "group", "required_approvals",
                       "sla_hours", "opened_at", "remind_at", "due_at", "reminded_at", "escalated_at"]
    inlines = [DecisionInline]

    def has_add_permission(self, request):
        return False  # stages are set up by routing at submit, never by hand


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["from_user", "to_user", "starts_at", "ends_at", "reason"]
    search_fields = ["from_user__username", "to_user__username"]
    readonly_fields = ["from_user", "to_user", "starts_at", "ends_at", "reason"]

    def has_add_permission(self, request):
        return False  # created through the portal's delegation page, which audits them
