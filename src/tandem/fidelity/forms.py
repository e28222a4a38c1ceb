"""Forms of fidelity reviews and the scale editor; they validate, the services write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms import BoundField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import User
from tandem.core.forms import DATE_INPUT
from tandem.fidelity.labels import localised
from tandem.fidelity.models import RATING_KEYS, FidelityDomain, FidelityItem, FidelityScale
from tandem.fidelity.scales import builtin_scale_codes, load_builtin_scale
from tandem.orgs.models import Programme, Team


def _rating_choices(item: FidelityItem) -> list[tuple[str, str]]:
    anchors = item.anchors or {}
    return [
        (value, f"{value}: {anchors[value]}" if anchors.get(value) else value)
        for value in RATING_KEYS
    ]


class ReviewForm(forms.Form):
    """A new review: team, date, scale in use, two assessors, domains left out."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    review_date = forms.DateField(label=_("Review date"), widget=DATE_INPUT)
    scale = forms.ModelChoiceField(label=_("Fidelity scale"), queryset=FidelityScale.objects.none())
    assessors = forms.ModelMultipleChoiceField(
        label=_("Assessors"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose two assessors; each rates the team independently."),
    )
    excluded_domains = forms.ModelMultipleChoiceField(
        label=_("Domains left out"),
        queryset=FidelityDomain.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Domains not rated in this review; the total is the sum of the others."),
    )

    def __init__(
        self,
        *args: Any,
        teams: QuerySet[Team],
        scales: QuerySet[FidelityScale],
        assessors: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["scale"].queryset = scales  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["assessors"].queryset = assessors  # type: ignore[attr-defined]  # ModelChoiceField
        domains = FidelityDomain.objects.filter(scale__in=scales).select_related("scale")
        excluded = self.fields["excluded_domains"]
        excluded.queryset = domains  # type: ignore[attr-defined]  # ModelChoiceField
        excluded.label_from_instance = lambda d: f"{d.scale}: {d.display_name}"  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["review_date"].initial = timezone.localdate()

    def clean_assessors(self) -> list[User]:
        chosen = list(self.cleaned_data["assessors"])
        if len(chosen) != 2:
            raise forms.ValidationError(_("Choose exactly two assessors."), code="two_assessors")
        return chosen

    @override
    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        scale = cleaned.get("scale")
        excluded = cleaned.get("excluded_domains") or []
        if scale is not None and any(domain.scale_id != scale.pk for domain in excluded):
            self.add_error("excluded_domains", _("Leave out only domains of the chosen scale."))
        return cleaned


@dataclass(frozen=True)
class RatingRow:
    """One item of a rating or consensus form: its fields and what is shown beside them."""

    domain: FidelityDomain
    item: FidelityItem
    rating: BoundField
    note: BoundField
    context: Any = None


class ItemRatingsForm(forms.Form):
    """A 1-5 rating and a note for each item; blank ratings are allowed (saved later)."""

    note_label = _("Evidence and note")

    def __init__(
        self, *args: Any, items: Sequence[tuple[FidelityDomain, FidelityItem]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for _domain, item in self.items:
            self.fields[f"rating_{item.pk}"] = forms.TypedChoiceField(
                label=item.label,
                choices=_rating_choices(item),
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=self.note_label,
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self, context: dict[int, Any] | None = None) -> list[RatingRow]:
        return [
            RatingRow(
                domain=domain,
                item=item,
                rating=self[f"rating_{item.pk}"],
                note=self[f"note_{item.pk}"],
                context=(context or {}).get(item.pk),
            )
            for domain, item in self.items
        ]

    def decisions(self) -> dict[int, tuple[int | None, str]]:
        """Item id -> (rating or None, note) from the cleaned data."""
        return {
            item.pk: (
                self.cleaned_data.get(f"rating_{item.pk}"),
                (self.cleaned_data.get(f"note_{item.pk}") or "").strip(),
            )
            for _domain, item in self.items
        }


class ConsensusForm(ItemRatingsForm):
    note_label = _("How it was agreed")

    version = forms.IntegerField(widget=forms.HiddenInput)


class FinaliseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


# ---- the scale editor ---------------------------------------------------------------------------
class ScaleCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        help_text=_("Leave empty for a scale every programme of the agency may use."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    start_from = forms.ChoiceField(label=_("Start from"), required=False)

    def __init__(
        self, *args: Any, programmes: QuerySet[Programme], agency_wide: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        field.queryset = programmes  # type: ignore[attr-defined]  # ModelChoiceField
        field.required = not agency_wide
        if not agency_wide:
            field.help_text = ""
        self.fields["start_from"].choices = [  # type: ignore[attr-defined]  # ChoiceField
            ("", _("A blank scale")),
            *(
                (
                    code,
                    _("The structure of %(name)s")
                    % {"name": localised(load_builtin_scale(code).name)},
                )
                for code in builtin_scale_codes()
            ),
        ]


class ScaleSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    high_fidelity_threshold = forms.DecimalField(
        label=_("High fidelity at or above"),
        required=False,
        max_digits=6,
        decimal_places=2,
        min_value=0,
        help_text=_("Total score from which a review counts as high fidelity."),
    )
    high_fidelity_domain_count = forms.IntegerField(
        label=_("Number of domains the threshold was set for"),
        required=False,
        min_value=1,
        help_text=_(
            "A review is classed high or low only when it rates this many domains. "
            "Leave empty to apply the threshold whatever the number of domains."
        ),
    )


class DomainForm(forms.Form):
    name = forms.CharField(label=_("Domain name"), max_length=200)


class NewItemForm(forms.Form):
    label = forms.CharField(label=_("Item label"), max_length=300)


class RowForm(forms.Form):
    """The domain or item a move/remove button acts on."""

    row = forms.IntegerField(widget=forms.HiddenInput)


class ItemForm(forms.Form):
    """An item's label and the agency's anchor text for each rating."""

    label = forms.CharField(label=_("Item label"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value in RATING_KEYS:
            self.fields[f"anchor_{value}"] = forms.CharField(
                label=_("Anchor text for rating %(rating)s") % {"rating": value},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def anchors(self) -> dict[str, str]:
        return {value: self.cleaned_data[f"anchor_{value}"] for value in RATING_KEYS}
