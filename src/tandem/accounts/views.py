"""Sign in, sign out and password change; agency administrators' pages about people's access."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST
from typing_extensions import override

from tandem.accounts import selectors, services
from tandem.accounts.access import CLINICAL_ROLES
from tandem.accounts.forms import EmailAuthenticationForm, OwnPasswordChangeForm
from tandem.accounts.models import Role
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required

ROLE_CHANGES_PER_PAGE = 50


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    @override
    def form_valid(self, form):  # type: ignore[no-untyped-def]  # signature from Django
        user = user_of(self.request)
        services.set_password(
            actor=user, user=user, raw_password=form.cleaned_data["new_password1"]
        )
        # Changing the password ends every other session; this one carries on.
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@require_GET
@role_required(Role.AGENCY_ADMIN)
def role_changes(request: HttpRequest) -> HttpResponse:
    """Every role granted or removed in my agencies, newest first."""
    user = user_of(request)
    page = Paginator(selectors.role_changes_visible_to(user), ROLE_CHANGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    record_event(actor=user, action=Action.LIST, object_type="accounts.rolechange")
    return render(
        request,
        "accounts/role_changes.html",
        {"page": page, "clinical_roles": {str(role) for role in CLINICAL_ROLES}},
    )


@require_GET
@role_required(Role.AGENCY_ADMIN)
def locked_accounts(request: HttpRequest) -> HttpResponse:
    """People of my agencies who cannot sign in now after too many failed attempts."""
    user = user_of(request)
    locked = selectors.locked_accounts_for(user)
    record_event(actor=user, action=Action.LIST, object_type="accounts.lockout")
    return render(
        request,
        "accounts/locked_accounts.html",
        {
            "locked": locked,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "address_failure_limit": settings.AXES_ADDRESS_FAILURE_LIMIT,
            "cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


@require_POST
@role_required(Role.AGENCY_ADMIN)
@form_token_required
def account_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift the lock on one person's account."""
    actor = user_of(request)
    person = selectors.get_account_for(actor, pk)
    services.unlock_account(actor=actor, user=person)
    messages.success(
        request, _("%(name)s can sign in again.") % {"name": person.full_name or person.email}
    )
    return redirect("accounts:locked_accounts")
