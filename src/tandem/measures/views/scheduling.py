"""A questionnaire scheduled by hand from the client's page, through the same service as the API."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tandem.clients.selectors import get_client_for
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.measures import selectors, services
from tandem.measures.forms import ScheduleOneForm
from tandem.measures.models import OPEN_STATUSES
from tandem.measures.views._common import CLINICAL


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL)
@form_token_required
def schedule_administration(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule one questionnaire for the client, optionally emailing the link at once."""
    user = user_of(request)
    client = get_client_for(user, pk)
    episodes = selectors.open_episodes_for_scheduling(user, client)
    instruments = selectors.instruments_measured_in({e.programme_id for e in episodes})
    form = ScheduleOneForm(
        request.POST or None,
        episodes=[
            (
                e.pk,
                _("%(programme)s, since %(date)s")
                % {"programme": e.programme.name, "date": date_format(e.start_date)},
            )
            for e in episodes
        ],
        instruments=instruments,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            episode = next(e for e in episodes if e.pk == form.cleaned_data["episode_id"])

            def build(token: str) -> str:
                return request.build_absolute_uri(reverse("measures:self_report", args=[token]))

            try:
                row = services.schedule_administration(
                    actor=user,
                    episode=episode,
                    instrument_code=form.cleaned_data["instrument_code"],
                    due_date=form.cleaned_data["due_date"],
                    send_invitation=form.cleaned_data["send_invitation"],
                    build_url=build,
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(code)s is scheduled for %(date)s.")
                    % {"code": row.instrument_code.upper(), "date": date_format(row.due_date)},
                )
                page = reverse("clients:client_detail", args=[client.pk])
                return redirect(f"{page}#measures-heading")
    upcoming = [
        a for a in selectors.client_administrations_for(user, client) if a.status in OPEN_STATUSES
    ]
    return render(
        request,
        "measures/schedule_one.html",
        {"client": client, "form": form, "episodes": episodes, "upcoming": upcoming},
        status=status,
    )
