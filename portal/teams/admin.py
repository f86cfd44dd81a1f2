from django.contrib import admin

from .models import Membership, Quota, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class QuotaInline(admin.StackedInline):
    model = Quota
    extra = 0
    max_num = 1
    can_delete = True


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, QuotaInline]


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ["team", "max_gpus", "max_vms", "max_clusters", "max_monthly_usd", "usage"]
    list_editable = ["max_gpus", "max_vms", "max_clusters", "max_monthly_usd"]
    autocomplete_fields = ["team"]

    @admin.display(description="In use now")
    def usage(self, quota):
        from portal.onboarding.quotas import quota_report

        report = quota_report(quota.team, quota=quota)
        return "; ".join(f"{line.label} {line.used}" for line in report.lines)
