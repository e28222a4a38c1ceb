"""Pages to correct a client's demographics, read the record's history and hand an episode over."""

from __future__ import annotations

from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.models import Role
from tandem.clients import selectors
from tandem.clients.corrections import selectors as history
from tandem.clients.corrections import services
from tandem.clients.corrections.forms import ClientEditForm, HandoverForm
from tandem.clients.models import Client
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error

INTAKE = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)


@require_http_methods(["GET", "POST"])
@form_token_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the client's demographics, with a reason kept in the record's history."""
    user = user_of(request)
    client = selectors.get_client_for(user, pk)
    # The form validates on a copy: the page's heading keeps the stored name whatever is typed.
    form = ClientEditForm(
        request.POST or None, instance=copy(client), initial={"version": client.version}
    )
    now_stored: list[tuple[str, object]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.update_client(
                actor=user,
                client=client,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                **form.demographics(),
            )
        except services.RecordChangedError:
            form.add_error(
                None,
                _(
                    "This record was changed by someone else while you were editing. Your "
                    "input is kept below: compare it with the record as it is now, then save "
                    "again."
                ),
            )
            # Show what is stored now where it differs from the input; the next, deliberate
            # save goes against the version now stored.
            stored = selectors.clients_visible_to(user).get(pk=client.pk)
            now_stored = [
                (str(form.fields[name].label), _stored_display(stored, name))
                for name, typed in form.demographics().items()
                if typed != getattr(stored, name)
            ]
            data = request.POST.copy()
            data["version"] = str(stored.version)
            form.data = data
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Record corrected. The change is in its history."))
            return redirect("clients:client_detail", pk=client.pk)
    return render(
        request,
        "clients/client_edit.html",
        {"client": client, "form": form, "now_stored": now_stored},
    )


def _stored_display(client: Client, name: str) -> object:
    display = getattr(client, f"get_{name}_display", None)
    return display() if display is not None else getattr(client, name)


@require_GET
def client_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every correction, void and hand-over of the record: who, when, what, from and to, why."""
    user = user_of(request)
    client = selectors.get_client_for(user, pk)
    return render(
        request,
        "clients/client_history.html",
        {"client": client, "entries": history.history_for(user, client)},
    )


@require_http_methods(["GET", "POST"])
@role_required(*INTAKE)
@form_token_required
def episode_handover(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor gives the episode another case manager, or moves it to another team."""
    user = user_of(request)
    episode = selectors.get_episode_for(user, pk)
    choices = [
        (team, worker)
        for team, worker in selectors.case_managers_for_assignment(user, episode.programme)
        if (team.pk, worker.pk) != (episode.team_id, episode.primary_case_manager_id)
    ]
    form = HandoverForm(request.POST or None, choices=choices)
    if request.method == "POST" and episode.is_open and form.is_valid():
        team, case_manager = form.cleaned_data["assignee"]
        try:
            services.hand_over_episode(
                actor=user,
                episode=episode,
                team=team,
                case_manager=case_manager,
                reason=form.cleaned_data["reason"],
            )
        except services.RecordChangedError:
            form.add_error(
                None,
                _(
                    "This episode was handed over by someone else while you were choosing. "
                    "Check who has it now, then choose again."
                ),
            )
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                _("Handed over to %(name)s (%(team)s).")
                % {"name": case_manager.full_name, "team": team.name},
            )
            return redirect("clients:client_detail", pk=episode.client_id)
    return render(
        request,
        "clients/episode_handover.html",
        {"episode": episode, "form": form, "handovers": history.handovers_of(episode)},
    )
