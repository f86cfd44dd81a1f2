"""Where to send a person back to after a POST: a ``next`` the page sent, if it is safe, else a default.

Safe means a path on this site: no scheme, no host, no control characters (a newline in a Location
header is a 500), and what Django's ``url_has_allowed_host_and_scheme`` accepts. Anything else —
``https://evil.example/``, ``//evil.example``, ``foo`` (which ``redirect()`` would take for a view
name) — is ignored and the default is used.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_path(request, target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None."""
    if not target or not target.startswith("/") or any(unicodedata.category(c)[0] == "C" for c in target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unbalanced "[" taken for an IPv6 host
        return None
    if parts.scheme or parts.netloc:
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return None
    return target


def redirect_back(request, default: str, *args, **kwargs) -> HttpResponseRedirect:
    """Redirect to the safe ``next``, else to ``default`` (a URL name with its arguments, or a path)."""
    target = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    return HttpResponseRedirect(safe_path(request, target) or resolve_url(default, *args, **kwargs))
