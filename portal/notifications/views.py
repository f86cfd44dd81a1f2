"""The notification list, each person's choices, and a team's webhooks with their delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.errors import ApplicationError
from portal.core.pagination import paginate
from portal.teams.models import Team

from .forms import PreferencesForm, WebhookForm
from .models import TeamWebhook
from .permissions import can_manage_webhooks, can_view_webhooks
from .selectors import deliveries_of, notifications_of, preferences_of
from .services import create_webhook, delete_webhook, mark_read, set_preferences


@login_required
@require_http_methods(["GET", "HEAD"])
def inbox(request):
    pager = paginate(request, notifications_of(request.user), noun=("notification", "notifications"), per_page=25)
    return render(request, "notifications/inbox.html", {"pager": pager})


@login_required
@require_POST
def read(request):
    ids = request.POST.getlist("id")
    changed = mark_read(user=request.user, ids=[int(i) for i in ids if i.isdigit()] if ids else None)
    messages.success(request, f"{changed} marked read." if changed != 1 else "1 marked read.")
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST if request.method == "POST" else None,
                           preferences=preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        set_preferences(user=request.user, choices=form.choices(), actor=request.user)
        messages.success(request, "Your notification choices are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _team(request, slug) -> Team:
    team = get_object_or_404(Team, slug=slug)
    if not can_view_webhooks(request.user, team):
        raise Http404("No such team")  # other teams' webhooks answer like a missing page
    return team


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def webhooks(request, slug):
    team = _team(request, slug)
    may_manage = can_manage_webhooks(request.user, team)
    form = WebhookForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_manage:
            raise Http404("No such page")
        if form.is_valid():
            data = form.cleaned_data
            try:
                webhook, secret = create_webhook(team=team, name=data["name"], url=data["url"], format=data["format"],
                                                 events=data["events"], actor=request.user)
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                if secret is None:
                    messages.success(request, f"Webhook “{webhook.name}” added.")
                    return redirect("notifications:webhooks", slug=team.slug)
                response = render(request, "notifications/webhook_created.html",
                                  {"team": team, "webhook": webhook, "secret": secret})
                add_never_cache_headers(response)  # the one answer holding the secret
                return response
    pager = paginate(request, deliveries_of(team), noun=("delivery", "deliveries"), per_page=25)
    return render(request, "notifications/webhooks.html", {
        "team": team, "form": form, "may_manage": may_manage, "hooks": team.webhooks.all(), "pager": pager,
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def delete(request, slug, pk):
    team = _team(request, slug)
    webhook = get_object_or_404(TeamWebhook, pk=pk, team=team)
    if not can_manage_webhooks(request.user, team):
        raise Http404("No such page")
    delete_webhook(webhook=webhook, actor=request.user)
    messages.success(request, f"Webhook “{webhook.name}” removed.")
    return redirect("notifications:webhooks", slug=team.slug)
