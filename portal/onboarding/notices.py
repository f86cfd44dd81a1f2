"""What the requester and their team hear when a request ends a step (portal.notifications does the telling)."""

from __future__ import annotations

from portal.notifications.models import Event
from portal.notifications.services import notify


def _tell(request, event: str, title: str, body: str, **data) -> None:
    notify(event=event, team=request.team, requester=request.requester, title=title, body=body,
           url=f"/requests/{request.pk}/", data={"request": request.pk, "title": request.title, **data})


def request_active(request) -> None:
    _tell(request, Event.REQUEST_ACTIVE, f"Request #{request.pk} is active",
          f"Everything “{request.title}” asked for exists: outputs and how to connect are on its page.")


def request_failed(request, *, name: str, error: str) -> None:
    _tell(request, Event.REQUEST_FAILED, f"Request #{request.pk} failed",
          f"“{request.title}” failed at {name}: {error.strip()[:500] or 'no reason recorded'}", item=name,
          error=error.strip()[:2000])


def request_cleaned_up(request) -> None:
    _tell(request, Event.REQUEST_CLEANED_UP, f"Request #{request.pk} was cleaned up",
          f"What the failed request “{request.title}” had created is destroyed; retry it when the cause is fixed.")


def request_decommissioned(request) -> None:
    _tell(request, Event.REQUEST_DECOMMISSIONED, f"Request #{request.pk} is decommissioned",
          f"Every resource of “{request.title}” is destroyed.")
