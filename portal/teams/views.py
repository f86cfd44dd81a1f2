from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from portal.core.errors import ApplicationError
from portal.core.pagination import paginate
from portal.datasets.selectors import access_given, access_held
from portal.inventory.drift import drift_runs_of
from portal.inventory.models import ProvisionedResource
from portal.inventory.selectors import (
    active_resources,
    expiring_soon,
    last_upgrade_runs,
    repos_behind,
    tracks_expiry,
    version_checked_at,
    with_costs,
)
from portal.inventory.services import schedule_version_check
from portal.onboarding.quotas import quota_report
from portal.onboarding.services import request_repo_upgrade
from portal.utilization.selectors import use_by_resource

from .models import Team
from .permissions import modelling_team_for

PAGE_SIZE = 50
IN_FLIGHT_PAGE_SIZE = 20


@login_required
@require_safe
def dashboard(request, slug):
    """A modelling team's page: what it has, what that costs, its quota, what needs attention."""
    team = _team_for(request.user, slug)
    resources = active_resources(team)
    rows, monthly = with_costs(resources)
    behind = repos_behind(resources)
    upgrades = last_upgrade_runs([b.resource for b in behind])
    for b in behind:
        b.resource.last_upgrade = upgrades.get(b.resource.pk)
        b.resource.version_checked_at = version_checked_at(b.resource)
    schedule_version_check(team=team, resources=[b.resource for b in behind])  # merged since? a worker reads main
    page = paginate(request, rows, noun=("active resource", "active resources"), per_page=PAGE_SIZE)
    use = use_by_resource([row.resource for row in page.rows])  # machines' last two days, for the Use column
    drift = drift_runs_of([row.resource for row in page.rows])  # the drift column's runs, two queries a page
    for row in page.rows:
        row.use = use.get(row.resource.pk)
        row.resource.preloaded_drift_runs = drift[row.resource.pk]
    return render(request, "teams/dashboard.html", {
        "team": team, "team_slug": team.slug,
        "monthly": monthly, "quota": quota_report(team),
        "can_operate": True,  # whoever sees a team's dashboard may act for it (modelling_team_for)
        # The total is over every resource; the table shows a page of them.
        "resources": page,
        "tracks_expiry": tracks_expiry(), "expiring": expiring_soon(resources, now=timezone.now()),
        "behind": behind, "repo_count": sum(r.kind == "repo" for r in resources),
        "access_held": access_held(team), "access_given": access_given(team),
        "in_flight": paginate(request, _in_flight(team), noun=("request in progress", "requests in progress"),
                              per_page=IN_FLIGHT_PAGE_SIZE, param="in_flight_page"),
    })


@login_required
@require_POST
def upgrade_repo(request, slug, pk):
    """Queue an upgrade branch for one of the team's repos that is behind its template."""
    team = _team_for(request.user, slug)
    resource = get_object_or_404(ProvisionedResource, pk=pk, team=team, kind="repo")
    try:
        request_repo_upgrade(resource=resource, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Upgrade of {resource.name} queued: the portal pushes a branch for the team "
                                  "to review and merge.")
    return redirect("teams:dashboard", slug=team.slug)


def _team_for(user, slug) -> Team:
    team = modelling_team_for(user, slug)
    if team is None:
        raise Http404("No such team")  # exactly like a team that does not exist
    return team


def _in_flight(team):
    return team.requests.filter(status__in=["submitted", "in_review", "changes_requested", "approved",
                                            "provisioning", "failed"]).order_by("-created_at", "-id")
