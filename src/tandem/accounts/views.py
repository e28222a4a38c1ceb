"""Sign in, sign out and password change."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from typing_extensions import override

from tandem.accounts.forms import EmailAuthenticationForm
from tandem.audit.models import Action
from tandem.audit.services import record_event


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
    success_url = reverse_lazy("accounts:password_change_done")

    @override
    def form_valid(self, form):  # type: ignore[no-untyped-def]  # signature from Django
        response = super().form_valid(form)
        record_event(
            actor=self.request.user,  # type: ignore[arg-type]  # signed in
            action=Action.PASSWORD_CHANGE,
            object_type="accounts.user",
            object_id=str(self.request.user.pk),
        )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
