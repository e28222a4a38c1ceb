"""The project's timeline: who changed, coded, wrote or exported what, and when (leads)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.core.access import user_of
from tandem.qualitative import selectors
from tandem.qualitative.models import ProjectRole
from tandem.qualitative.views.common import member_access

PER_PAGE = 100


@require_GET
def project_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit events of the project's records, newest first, a hundred a page."""
    user = user_of(request)
    access = member_access(user, pk, ProjectRole.LEAD)
    page = Paginator(selectors.timeline_of(user, access), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "qualitative/timeline.html",
        {
            "access": access,
            "project": access.project,
            "page": page,
            "entries": selectors.timeline_entries(page.object_list),
        },
    )
