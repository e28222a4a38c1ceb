"""Forms of the qualitative pages: they validate and convert; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import User
from tandem.core.forms import DATE_INPUT
from tandem.qualitative.models import (
    HEX_COLOUR,
    MAX_UPLOAD_BYTES,
    AttributeDefinition,
    AttributeType,
    Case,
    Code,
    CodebookVersion,
    ProjectRole,
)
from tandem.qualitative.selectors import CodeNode
from tandem.qualitative.services.cases import value_field_name

REASON_HELP = _("Kept in the project's history with your name, for example: typing error.")


class CorrectionFields(forms.Form):
    """The version the form was drawn from and why the record is changed."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=500,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ArchiveForm(CorrectionFields):
    """Archive a record, or restore an archived one, with a reason."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The question the analysis answers, the data and who is involved."),
    )


class NewProjectForm(ProjectForm):
    agency = forms.ChoiceField(label=_("Agency"))

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency_ids = {pk for pk, _name in agencies}
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [(str(pk), name) for pk, name in agencies]
        if len(agencies) == 1:
            field.widget = forms.HiddenInput()
            field.initial = str(agencies[0][0])

    def clean_agency(self) -> int:
        return int(self.cleaned_data["agency"])


class ProjectEditForm(CorrectionFields, ProjectForm):
    field_order = ["title", "description", "reason"]


class MemberAddForm(forms.Form):
    user = forms.ChoiceField(label=_("Person"))
    role = forms.ChoiceField(label=_("Project role"), choices=ProjectRole.choices)

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in candidates}
        field = self.fields["user"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [
            ("", "—"),
            *((pk, f"{u.full_name} ({u.email})") for pk, u in self.people.items()),
        ]

    def clean_user(self) -> User:
        return self.people[self.cleaned_data["user"]]


class MemberEditForm(CorrectionFields):
    role = forms.ChoiceField(label=_("Project role"), choices=ProjectRole.choices)
    remove = forms.BooleanField(
        label=_("Remove from the project"),
        required=False,
        help_text=_("They no longer see the project; what they wrote stays."),
    )
    field_order = ["role", "remove", "reason"]


class AttributeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example: gender."))
    value_type = forms.ChoiceField(label=_("Type"), choices=AttributeType.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttributeEditForm(CorrectionFields, AttributeForm):
    is_archived = forms.BooleanField(
        label=_("Archived"),
        required=False,
        help_text=_("An archived attribute is no longer asked for; values already given stay."),
    )
    field_order = ["name", "value_type", "description", "is_archived", "reason"]


def attribute_field(attribute: AttributeDefinition) -> forms.Field:
    """The form field that reads and checks one attribute's value by its type."""
    label = attribute.name
    help_text = attribute.description
    match attribute.value_type:
        case AttributeType.INTEGER:
            return forms.IntegerField(label=label, required=False, help_text=help_text)
        case AttributeType.FLOAT:
            return forms.FloatField(
                label=label,
                required=False,
                help_text=help_text,
                widget=forms.NumberInput(attrs={"step": "any"}),
            )
        case AttributeType.BOOLEAN:
            return forms.NullBooleanField(
                label=label,
                required=False,
                help_text=help_text,
                widget=forms.NullBooleanSelect,
            )
        case AttributeType.DATE:
            return forms.DateField(
                label=label, required=False, help_text=help_text, widget=DATE_INPUT
            )
        case _:
            return forms.CharField(
                label=label, required=False, help_text=help_text, max_length=1000
            )


class CaseForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The label the analysis uses, such as a pseudonym (P07), never a real name."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, attributes: list[AttributeDefinition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attributes = attributes
        for attribute in attributes:
            self.fields[value_field_name(attribute)] = attribute_field(attribute)
        if "reason" in self.fields:
            self.order_fields([*self.fields.keys() - {"reason"}, "reason"])

    def attribute_values(self) -> dict[int, Any]:
        return {a.pk: self.cleaned_data.get(value_field_name(a)) for a in self.attributes}

    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[value_field_name(a)] for a in self.attributes]


class CaseEditForm(CorrectionFields, CaseForm):
    pass


def case_choices(cases: list[Case]) -> list[tuple[str, str]]:
    return [("", str(_("No case"))), *((str(case.pk), case.name) for case in cases)]


def _upload_help() -> str:
    """The upload field's help, formatted in the language of the request that shows it."""
    return gettext(
        "A .txt file in any common encoding, or a Word .docx file; at most %(max)s MB."
    ) % {"max": MAX_UPLOAD_BYTES // (1024 * 1024)}


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Left empty, an uploaded file's name is used."),
    )
    case = forms.ChoiceField(label=_("Case"), required=False)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=lazy(_upload_help, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,text/plain"}),
    )
    text = forms.CharField(
        label=_("Or paste the text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )

    def __init__(self, *args: Any, cases: list[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases = {str(case.pk): case for case in cases}
        field = self.fields["case"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = case_choices(cases)

    def clean_case(self) -> Case | None:
        return self.cases.get(self.cleaned_data["case"] or "")

    @override
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_file = bool(data.get("file"))
        has_text = bool((data.get("text") or "").strip())
        if has_file == has_text:
            self.add_error("file", _("Upload one file or paste a text, not both and not neither."))
        elif has_text and not (data.get("title") or "").strip():
            self.add_error("title", _("Give a pasted text a title."))
        return data


class DocumentEditForm(CorrectionFields):
    title = forms.CharField(label=_("Title"), max_length=200)
    case = forms.ChoiceField(label=_("Case"), required=False)
    field_order = ["title", "case", "reason"]

    def __init__(self, *args: Any, cases: list[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases = {str(case.pk): case for case in cases}
        field = self.fields["case"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = case_choices(cases)

    def clean_case(self) -> Case | None:
        return self.cases.get(self.cleaned_data["case"] or "")


def parent_choices(
    nodes: list[CodeNode], *, excluding: Code | None = None
) -> list[tuple[str, str]]:
    """The codebook as indented choices, leaving out ``excluding`` and everything under it."""
    choices = [("", str(_("Top of the codebook")))]
    skip_below: int | None = None
    for node in nodes:
        if skip_below is not None and node.depth > skip_below:
            continue
        skip_below = None
        if excluding is not None and node.code.pk == excluding.pk:
            skip_below = node.depth
            continue
        choices.append((str(node.code.pk), "— " * node.depth + node.code.name))
    return choices


class CodeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ChoiceField(label=_("Place under"), required=False)
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial="#4477aa",
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Text over it is shown in black or white, whichever reads better."),
    )
    definition = forms.CharField(
        label=_("Definition"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    inclusion = forms.CharField(
        label=_("Inclusion criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("When to apply the code."),
    )
    exclusion = forms.CharField(
        label=_("Exclusion criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("When not to apply it, and which code to use instead."),
    )
    example = forms.CharField(
        label=_("Example"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, nodes: list[CodeNode], excluding: Code | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.codes = {str(node.code.pk): node.code for node in nodes}
        field = self.fields["parent"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = parent_choices(nodes, excluding=excluding)

    def clean_parent(self) -> Code | None:
        return self.codes.get(self.cleaned_data["parent"] or "")

    def clean_colour(self) -> str:
        colour = str(self.cleaned_data["colour"]).strip()
        if not HEX_COLOUR.match(colour):
            raise forms.ValidationError(
                _("Enter a colour as # and six hexadecimal digits, like #4477aa."),
                code="invalid_colour",
            )
        return colour.lower()

    def code_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("colour", "definition", "inclusion", "exclusion", "example")
        }


class CodeEditForm(CorrectionFields, CodeForm):
    field_order = [
        "name",
        "parent",
        "colour",
        "definition",
        "inclusion",
        "exclusion",
        "example",
        "reason",
    ]


class MergeForm(forms.Form):
    target = forms.ChoiceField(label=_("Merge into"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, nodes: list[CodeNode], source: Code, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = {str(node.code.pk): node.code for node in nodes}
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "—"), *parent_choices(nodes, excluding=source)[1:]]

    def clean_target(self) -> Code:
        return self.codes[self.cleaned_data["target"]]


class MemoForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Memo"), widget=forms.Textarea(attrs={"rows": 8}))


class MemoEditForm(CorrectionFields, MemoForm):
    field_order = ["title", "body", "reason"]


class VersionForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=200,
        help_text=_("For example: after the second coding meeting."),
    )


class CompareForm(forms.Form):
    before = forms.ChoiceField(label=_("Earlier version"))
    after = forms.ChoiceField(label=_("Later version"))

    def __init__(self, *args: Any, versions: list[CodebookVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {str(v.pk): v for v in versions}
        choices = [(str(v.pk), v.label) for v in versions]
        for name in ("before", "after"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = (
                choices if name == "before" else [("now", _("The codebook now")), *choices]
            )

    def clean_before(self) -> CodebookVersion:
        return self.versions[self.cleaned_data["before"]]

    def clean_after(self) -> CodebookVersion | None:
        return self.versions.get(self.cleaned_data["after"])
