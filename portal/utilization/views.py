"""A machine's use: chart, idle state and what it cost, right-sizing advice, keep running, stop/start, schedule."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.errors import ApplicationError
from portal.inventory.models import ProvisionedResource
from portal.teams.permissions import may_act_for_team

from . import services
from .forms import KeepRunningForm, ScheduleForm
from .selectors import machine_view


def _machine(request, pk) -> ProvisionedResource:
    resource = get_object_or_404(ProvisionedResource.objects.select_related(
        "team", "item__request", "template_version__template"), pk=pk, kind__in=("cpu_vm", "gpu_vm"))
    if not may_act_for_team(request.user, resource.team):
        raise Http404("No such machine")  # another team's machine answers like a missing one
    return resource


@login_required
@require_http_methods(["GET", "HEAD"])
def machine(request, pk):
    return _page(request, _machine(request, pk))


def _page(request, resource, *, keep_form=None, status=200):
    view = machine_view(resource)
    resize_url = None
    if view.advice and view.advice.suggested:
        resize_url = reverse("onboarding:modify_resource", args=[resource.pk]) + "?" + urlencode(
            {"instance_type": view.advice.suggested, "reason": view.advice.message})
    return render(request, "utilization/machine.html", {
        "resource": resource, "view": view, "keep_form": keep_form or KeepRunningForm(),
        "schedule_form": ScheduleForm(initial={"schedule": view.use.schedule}), "resize_url": resize_url,
    }, status=status)


@login_required
@require_POST
def act(request, pk, action):
    resource = _machine(request, pk)
    try:
        if action == "keep":
            form = KeepRunningForm(request.POST)
            if not form.is_valid():
                return _page(request, resource, keep_form=form, status=400)
            services.keep_running(resource=resource, days=form.cleaned_data["days"], reason=form.cleaned_data["reason"],
                                  actor=request.user)
            messages.success(request, f"{resource.name} is kept running for {form.cleaned_data['days']} days.")
        elif action == "start":
            services.start_again(resource=resource, actor=request.user)
            messages.success(request, f"{resource.name} is being started.")
        elif action == "stop":
            services.stop_now(resource=resource, actor=request.user)
            messages.success(request, f"{resource.name} is being stopped.")
        elif action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                raise ApplicationError("Choose always on or office hours.")
            services.set_schedule(resource=resource, schedule=form.cleaned_data["schedule"], actor=request.user)
            messages.success(request, "Schedule saved.")
        else:
            raise Http404("No such action")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("utilization:machine", pk=resource.pk)
