"""Pages about API tokens: a person's own (made and revoked), an administrator's view of their
agencies' tokens, and the API's documentation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.models import Role
from tandem.api import selectors, services
from tandem.api.forms import TokenForm
from tandem.api.scopes import AREAS, effective_scopes, scopes_allowed_for
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required, submission_not_saved, submission_saved


@require_http_methods(["GET", "POST"])
@form_token_required
def token_list(request: HttpRequest) -> HttpResponse:
    """My API tokens, and the form that makes a new one (its text shown this once)."""
    user = user_of(request)
    allowed = scopes_allowed_for(user)
    form = TokenForm(request.POST or None, allowed=allowed)
    issued = None
    if request.method == "POST":
        if form.is_valid():
            try:
                issued = services.create_token(
                    actor=user,
                    user=user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                )
            except ValidationError as error:
                form.add_error(None, error)
        if issued is None:
            submission_not_saved(request)
        else:
            submission_saved(request, to=reverse("api:token_list"))
            form = TokenForm(allowed=allowed)
    record_event(actor=user, action=Action.LIST, object_type="api.apitoken", object_id="own")
    tokens = [
        (token, sorted(effective_scopes(user, token.scopes))) for token in selectors.tokens_of(user)
    ]
    return render(
        request,
        "api/tokens.html",
        {"form": form, "issued": issued, "tokens": tokens, "has_scopes": bool(allowed)},
    )


@require_POST
@form_token_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of my tokens."""
    user = user_of(request)
    token = selectors.get_own_token(user, pk)
    services.revoke_token(actor=user, token=token)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("api:token_list")


@require_GET
@role_required(Role.AGENCY_ADMIN)
def agency_tokens(request: HttpRequest) -> HttpResponse:
    """Every API token of the people of my agencies."""
    user = user_of(request)
    record_event(actor=user, action=Action.LIST, object_type="api.apitoken", object_id="agency")
    return render(request, "api/agency_tokens.html", {"tokens": selectors.agency_tokens_for(user)})


@require_POST
@role_required(Role.AGENCY_ADMIN)
@form_token_required
def agency_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a token of a person of my agencies."""
    user = user_of(request)
    token = selectors.get_agency_token_for(user, pk)
    services.revoke_token(actor=user, token=token)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("api:agency_tokens")


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """How to call the API: authentication, conventions and the list of routes."""
    return render(
        request,
        "api/docs.html",
        {
            "areas": AREAS,
            "schema_url": reverse("api_v1:openapi-json"),
            "fhir_schema_url": reverse("fhir:openapi-json"),
        },
    )
