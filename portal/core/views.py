from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_safe


@login_required
@require_safe
def home(request):
    if request.user.memberships.filter(team__kind="steering").exists():
        return redirect("approvals:queue")
    return redirect("catalog:index")
