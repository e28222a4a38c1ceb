"""A programme's indicator targets, set on its configuration pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tandem.accounts.models import Role
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.fidelity.forms import IndicatorTargetsForm
from tandem.fidelity.indicators.targets import targets_in_force
from tandem.fidelity.services.targets import save_indicator_targets, target_settings
from tandem.orgs.selectors import get_programme_for_configuration
from tandem.orgs.services import ConfigurationChangedError, configuration_fingerprint


@require_http_methods(["GET", "POST"])
@role_required(Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN)
@form_token_required
def indicator_targets(request: HttpRequest, pk: int) -> HttpResponse:
    """Each continuous indicator's target for the programme, its default beside it."""
    user = user_of(request)
    programme = get_programme_for_configuration(user, pk)
    rows = targets_in_force(programme)
    form = IndicatorTargetsForm(
        request.POST or None,
        rows=rows,
        initial={"fingerprint": configuration_fingerprint(target_settings(programme))},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save_indicator_targets(
                    actor=user,
                    programme=programme,
                    targets=form.targets(),
                    expected_fingerprint=form.cleaned_data["fingerprint"] or None,
                    reason=form.cleaned_data["reason"],
                )
            except ConfigurationChangedError:
                form.add_error(
                    None,
                    _(
                        "These targets were changed by someone else while you were editing. "
                        "Your input is kept below: compare it with the targets as they are "
                        "now, then save again."
                    ),
                )
                rows = targets_in_force(programme)
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
                status = 400
            else:
                messages.success(request, _("The indicator targets are saved."))
                return redirect(
                    reverse("site:programme_configuration", args=[programme.pk]) + "#targets"
                )
        else:
            status = 400
    return render(
        request,
        "fidelity/indicator_targets.html",
        {"programme": programme, "form": form, "rows": rows},
        status=status,
    )
