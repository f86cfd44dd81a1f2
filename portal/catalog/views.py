from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from portal.teams.selectors import teams_of

from .cards import catalog_cards, shared_conditions
from .estimates import estimate_panel
from .sections import sections_from_post
from .selectors import offered_bundles, offered_versions


@login_required
def index(request):
    from portal.approvals.preview import likely_approvals
    from portal.approvals.routing import active_rules

    rules = active_rules()
    bundle_cards, template_cards = catalog_cards(
        offered_versions(), offered_bundles(),
        approvals_for=lambda pairs, prices: likely_approvals(pairs, rules=rules, prices=prices))
    return render(request, "catalog/index.html", {"bundle_cards": bundle_cards, "template_cards": template_cards,
                                                  "everywhere": shared_conditions([*bundle_cards, *template_cards])})


@login_required
@require_POST
def estimate(request):
    """htmx: re-estimate cost, quota left and sizing advice from the request form as it is now."""
    sections = sections_from_post(request.POST)
    team = teams_of(request.user, kind="modelling").filter(pk=_int(request.POST.get("team"))).first()
    from portal.onboarding.quotas import quota_for

    return render(request, "catalog/_estimate.html", {"panel": estimate_panel(sections, quota=quota_for(team))})


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
