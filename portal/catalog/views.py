from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import offered_versions


@login_required
def index(request):
    return render(request, "catalog/index.html", {"versions": offered_versions()})
