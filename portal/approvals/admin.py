from django.contrib import admin

from .models import ApprovalStage, Decision


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    readonly_fields = ["actor", "outcome", "comment", "created_at"]
    can_delete = False


@admin.register(ApprovalStage)
class ApprovalStageAdmin(admin.ModelAdmin):
    list_display = ["request", "team", "status", "created_at"]
    list_filter = ["status", "team"]
    readonly_fields = ["request", "team", "position", "reason", "status"]
    inlines = [DecisionInline]
