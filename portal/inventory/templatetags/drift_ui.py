"""``{% drift_panel item_or_resource back=url %}``: a resource's drift state, what differs, and its buttons."""

from django import template

from portal.inventory.drift import drift_runs, has_drift_check
from portal.inventory.models import ProvisionedResource

register = template.Library()


@register.inclusion_tag("inventory/_drift.html", takes_context=True)
def drift_panel(context, subject, back="", compact=False):
    resource = subject if isinstance(subject, ProvisionedResource) else \
        ProvisionedResource.objects.filter(item=subject).select_related("template_version", "drift_accepted_by").first()
    if resource is None or resource.status != ProvisionedResource.Status.ACTIVE or not has_drift_check(resource):
        return {"resource": None, "compact": compact}
    can_operate = context.get("can_operate")
    if can_operate is None:
        from portal.onboarding.permissions import can_operate_request

        can_operate = can_operate_request(context["request"].user, resource.item.request)
    preloaded = getattr(resource, "preloaded_drift_runs", None)  # the dashboard loads a page's runs at once
    active, last_check = preloaded if preloaded is not None else drift_runs(resource)
    return {
        "resource": resource, "summary": resource.drift_summary or {}, "active_run": active,
        "last_check": last_check, "can_operate": can_operate, "back": back, "compact": compact,
        "check_failed": last_check is not None and last_check.status == "failed" and active is None,
        "csrf_token": context.get("csrf_token"),
    }
