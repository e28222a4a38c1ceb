"""Sign-in form (one generic message for any failure) and the password change form."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _("The email or password is not right. Please try again."),
        "inactive": _("The email or password is not right. Please try again."),
    }


class OwnPasswordChangeForm(PasswordChangeForm):
    """Choose a new password, which must differ from the current one.

    After an administrator set the password, keeping it would leave it known to them.
    """

    @sensitive_variables("new")
    def clean_new_password1(self) -> str:
        new: str = self.cleaned_data["new_password1"]
        if self.user.check_password(new):
            raise forms.ValidationError(
                _("Choose a password different from your current one."), code="password_unchanged"
            )
        return new
