"""The Access tokens page: my tokens, a new one (its secret shown once, in the answer to the POST that
made it — never stored, never put in a message or the session), and revoking one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.errors import ApplicationError
from portal.core.pagination import paginate

from .forms import TokenForm
from .tokens import create_token, revoke_token, tokens_of

PAGE_SIZE = 25


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request):
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = create_token(user=request.user, name=data["name"], scopes=data["scopes"],
                                         days=data["days"])
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            response = render(request, "accounts/token_created.html", {"token": token, "secret": secret})
            add_never_cache_headers(response)  # the one answer that holds the secret: no-store
            return response
    pager = paginate(request, tokens_of(request.user).order_by("-created_at", "-id"),
                     noun=("token", "tokens"), per_page=PAGE_SIZE)
    return render(request, "accounts/tokens.html", {"form": form, "pager": pager, "now": timezone.now()},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def revoke(request, pk):
    token = tokens_of(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token")  # someone else's token answers like a missing one
    if token.revoked_at is not None:
        messages.info(request, f"The token “{token.name}” was already revoked.")
    else:
        try:
            revoke_token(token=token, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("accounts:tokens")
