"""Forms of supervision: presenting a client, and the actions agreed for them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import User
from tandem.clients.models import Client, Episode
from tandem.core.forms import DATE_INPUT


def _text(label: Any, rows: int = 2, *, required: bool = True, max_length: int = 1000) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class OwnerField(forms.TypedChoiceField):
    """A staff member chosen from a list read once, so that many forms on a page share it."""

    def __init__(self, *, empty_label: Any = None, **kwargs: Any) -> None:
        super().__init__(coerce=int, **kwargs)
        self.empty_label = empty_label
        self.people: dict[int, User] = {}

    def set_people(self, people: list[User]) -> None:
        self.people = {u.pk: u for u in people}
        blank = [("", self.empty_label or "---------")] if not self.required else []
        self.choices = [*blank, *((u.pk, u.full_name) for u in people)]

    @override
    def clean(self, value: Any) -> User | None:
        pk = super().clean(value)
        return None if pk in ("", None) else self.people[pk]


def _set_owners(form: forms.Form, owners: list[User]) -> None:
    field = form.fields["owner" if "owner" in form.fields else "action_owner"]
    assert isinstance(field, OwnerField)  # noqa: S101  # every owner field is one
    field.set_people(owners)


class PresentationForm(forms.Form):
    """A client presented, the group's suggestions, and optionally the action agreed."""

    episode = forms.ModelChoiceField(queryset=Episode.objects.none(), label=_("Client presented"))
    question = _text(_("What the worker asks the group"), required=False)
    suggestions = _text(_("Suggestions from the group"), rows=3, max_length=5000)
    agreed_action = _text(_("Action agreed (optional)"), required=False)
    action_owner = OwnerField(
        label=_("Who does it"), required=False, empty_label=_("The client's case manager")
    )
    action_due_on = forms.DateField(label=_("By when"), required=False, widget=DATE_INPUT)

    def __init__(
        self,
        *args: Any,
        episodes: QuerySet[Episode],
        owners: list[User],
        summary_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["episode"].queryset = episodes  # type: ignore[attr-defined]  # ModelChoiceField
        if summary_url:
            # Choosing the client fetches their strengths and plan beside the form (htmx).
            self.fields["episode"].widget.attrs.update(
                {
                    "hx-get": summary_url,
                    "hx-trigger": "change",
                    "hx-target": "#presenting-summary",
                    "hx-swap": "outerHTML",
                }
            )
        self.fields["episode"].label_from_instance = (  # type: ignore[attr-defined]  # ModelChoiceField
            lambda e: f"{e.client.display_name} ({e.primary_case_manager.full_name})"
        )
        _set_owners(self, owners)

    @override
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_text = bool((data.get("agreed_action") or "").strip())
        if has_text and data.get("action_due_on") is None and "action_due_on" not in self.errors:
            self.add_error("action_due_on", _("Say by when the action is due."))
        if not has_text and (data.get("action_due_on") or data.get("action_owner")):
            self.add_error("agreed_action", _("Say what was agreed, or leave the date empty."))
        return data


class AgreedActionForm(forms.Form):
    """Another action agreed for a client presented in the session."""

    client = forms.ModelChoiceField(queryset=Client.objects.none(), widget=forms.HiddenInput)
    text = _text(_("What was agreed"))
    owner = OwnerField(label=_("Who does it"))
    due_on = forms.DateField(label=_("By when"), widget=DATE_INPUT)

    def __init__(
        self, *args: Any, clients: QuerySet[Client], owners: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]  # ModelChoiceField
        _set_owners(self, owners)


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CorrectActionForm(VersionedForm):
    text = _text(_("What was agreed"))
    owner = OwnerField(label=_("Who does it"))
    due_on = forms.DateField(label=_("By when"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("Why it is corrected (optional)"), max_length=500, required=False
    )

    def __init__(self, *args: Any, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_owners(self, owners)


class VoidActionForm(VersionedForm):
    void_reason = _text(_("Why the action is voided"), max_length=500)


class ReopenActionForm(VersionedForm):
    reason = forms.CharField(label=_("Why it is reopened"), max_length=500)


class MarkDoneForm(VersionedForm):
    """Mark an action done today, from wherever it is listed."""

    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)
