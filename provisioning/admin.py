from django.contrib import admin

from .models import ModuleContent, Run, WorkerHeartbeat, Workspace


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["id", "workspace", "action", "purpose", "status", "phase", "attempt", "worker", "started_at",
                    "finished_at"]
    list_filter = ["status", "action", "engine", "failure_cause"]
    search_fields = ["=correlation_id", "worker"]  # a request id from the logs finds the runs it queued
    exclude = ["saved_plan", "variables", "outputs"]  # sealed or sensitive: shown masked below
    readonly_fields = [f.name for f in Run._meta.fields if f.name not in ("saved_plan", "variables", "outputs")] + [
        "display_variables", "display_outputs"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["key", "created_at"]
    readonly_fields = ["key", "created_at"]


@admin.register(ModuleContent)
class ModuleContentAdmin(admin.ModelAdmin):
    list_display = ["sha256", "created_at"]
    readonly_fields = ["sha256", "files", "created_at"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "queues", "pid", "started_at", "last_seen"]
    readonly_fields = ["hostname", "queues", "pid", "started_at", "last_seen"]

    def has_add_permission(self, request) -> bool:
        return False  # written by the workers only
