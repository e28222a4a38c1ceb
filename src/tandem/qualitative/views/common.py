"""What the qualitative pages share: the member check, and the answer to a concurrent edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core.forms import show_service_error
from tandem.qualitative import selectors
from tandem.qualitative.selectors import ProjectAccess
from tandem.qualitative.services.common import RecordChangedError


def member_access(user: User, pk: int, *roles: str) -> ProjectAccess:
    """The project for one of its members (404 for anyone else), 403 without one of ``roles``."""
    access = selectors.get_project_for(user, pk)
    if roles:
        selectors.require_project_role(user, access, *roles)
    return access


def changed_elsewhere(form: Form, version: int) -> None:
    """Say so, keep the input, and let a deliberate second save go against ``version``."""
    form.add_error(
        None,
        _(
            "This record was changed by someone else while you were editing. Your input is "
            "kept below: read the record as it is now, then save again."
        ),
    )
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
    data["version"] = str(version)
    form.data = data


def save_correction(
    request: HttpRequest,
    form: Form,
    save: Callable[[dict[str, Any]], Any],
    stored_version: Callable[[], int] | None,
    *,
    success: str | Callable[[Any], str],
    next_url: str | Callable[[Any], str],
    template: str = "qualitative/form.html",
    context: dict[str, Any],
) -> HttpResponse:
    """Run a form whose ``save`` calls a service: 400 with the errors by field, or the success
    message and a redirect. ``success`` and ``next_url`` may be functions of what ``save``
    returned (a new record). A correction posted with its version (``stored_version`` given)
    answers 409 when someone saved in between."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = save(form.cleaned_data)
            except RecordChangedError:
                if stored_version is None:
                    raise
                changed_elsewhere(form, stored_version())
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, success(saved) if callable(success) else success)
                return redirect(next_url(saved) if callable(next_url) else next_url)
    return render(request, template, {**context, "form": form}, status=status)
