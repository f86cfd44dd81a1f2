"""Drift buttons (POST only): check now, reconcile, accept. Who may is checked in portal.inventory.drift."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.core.errors import ApplicationError, PermissionDenied
from portal.onboarding.permissions import can_view_request
from portal.onboarding.services import reconcile_drift, request_drift_check

from .drift import accept_drift
from .models import ProvisionedResource

DONE = {
    "check": "Drift check of {name} queued: the result shows here when it has run.",
    "reconcile": "Reconcile of {name} queued: an apply brings it back to the declared values.",
    "accept": "The drift of {name} is accepted: the portal leaves it as it is and flags a different drift again.",
}
ACTIONS = {"check": request_drift_check, "reconcile": reconcile_drift, "accept": accept_drift}


@login_required
@require_POST
def drift_action(request, pk, action):
    resource = ProvisionedResource.objects.select_related("item__request__team").filter(pk=pk).first()
    if resource is None or action not in ACTIONS or not can_view_request(request.user, resource.item.request):
        raise Http404("No such resource")  # don't reveal what other teams have
    try:
        ACTIONS[action](resource=resource, actor=request.user)
    except PermissionDenied as error:
        raise Forbidden(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, DONE[action].format(name=resource.name))
    return redirect(_back(request, resource))


def _back(request, resource) -> str:
    """Where the button was (the request page or the team dashboard), never another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("onboarding:detail", args=[resource.item.request_id]) + f"#drift-{resource.pk}"
