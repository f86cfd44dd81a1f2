from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from portal.inventory.selectors import active_resources, expiring_soon, repos_behind, tracks_expiry, with_costs

from .models import Team
from .quotas import quota_report
from .selectors import is_member


@login_required
def dashboard(request, slug):
    """A modelling team's page: what it has, what that costs, its quota, what needs attention."""
    team = get_object_or_404(Team, slug=slug, kind=Team.Kind.MODELLING)
    if not (request.user.is_staff or is_member(request.user, team)):
        raise Http404("No such team")
    resources = active_resources(team)
    rows, monthly = with_costs(resources)
    return render(request, "teams/dashboard.html", {
        "team": team, "team_slug": team.slug, "rows": rows, "monthly": monthly, "quota": quota_report(team),
        "tracks_expiry": tracks_expiry(), "expiring": expiring_soon(resources, now=timezone.now()),
        "behind": repos_behind(resources), "repo_count": sum(r.kind == "repo" for r in resources),
        "in_flight": _in_flight(team),
    })


def _in_flight(team):
    return team.requests.filter(status__in=["submitted", "in_review", "changes_requested", "approved",
                                            "provisioning", "failed"]).order_by("-created_at")[:20]
