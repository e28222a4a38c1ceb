"""Qualitative projects: members, cases with typed attributes, documents, codebook, codings, memos.

A project belongs to an agency, but only its members reach anything in it: documents are
transcripts of what people said, personal data read through ``selectors`` (audited) and written
through ``services``. A document's text is fixed when it is imported, so that the character
offsets of codings (``Coding.start``/``end``, in Unicode code points as REFI-QDA counts them)
always point at the same words.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.orgs.models import Agency

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A transcript of a long interview runs to about 100,000 characters; ten times that is refused
# as a mistake (a book, a data dump) rather than a transcript.
MAX_DOCUMENT_CHARS = 1_000_000
# An uploaded file larger than this is refused before it is read.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class ProjectRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    CODER = "coder", _("Coder")
    VIEWER = "viewer", _("Viewer")


class Project(models.Model):
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="qualitative_projects",
        verbose_name=_("agency"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Bumped by every edit: a save from a form that read an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("qualitative project")
        verbose_name_plural = _("qualitative projects")
        ordering = ["title", "pk"]

    @override
    def __str__(self) -> str:
        return self.title

    @override
    def clean(self) -> None:
        if not self.title.strip():
            raise ValidationError({"title": _("Give the project a title.")})


class ProjectMember(models.Model):
    """A person's role in one project; removing them keeps the row, inactive, with the reason."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="members", verbose_name=_("project")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="qualitative_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("project role"), max_length=8, choices=ProjectRole.choices)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        ordering = ["project", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="qualitative_member_once"),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class AttributeType(models.TextChoices):
    """The REFI-QDA variable types a case attribute may have."""

    TEXT = "text", _("Text")
    INTEGER = "integer", _("Whole number")
    FLOAT = "float", _("Decimal number")
    BOOLEAN = "boolean", _("Yes or no")
    DATE = "date", _("Date")


class AttributeDefinition(models.Model):
    """An attribute every case of the project may have: gender, programme, years of experience."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="attributes", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=100)
    value_type = models.CharField(_("type"), max_length=8, choices=AttributeType.choices)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_archived = models.BooleanField(_("archived"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("case attribute")
        verbose_name_plural = _("case attributes")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="qualitative_attribute_name"),
        ]

    @override
    def __str__(self) -> str:
        return self.name

    @override
    def clean(self) -> None:
        if not self.name.strip():
            raise ValidationError({"name": _("Give the attribute a name.")})


class Case(models.Model):
    """A participant (or a site, a team) whose documents and attributes are analysed together.

    ``name`` is the label the analysis uses (a pseudonym such as "P07"), never taken from a
    client record.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="cases", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="qualitative_case_name"),
        ]

    @override
    def __str__(self) -> str:
        return self.name

    @override
    def clean(self) -> None:
        if not self.name.strip():
            raise ValidationError({"name": _("Give the case a name.")})


class CaseValue(models.Model):
    """One case's value of one attribute, in the column of the attribute's type."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="values", verbose_name=_("case")
    )
    attribute = models.ForeignKey(
        AttributeDefinition,
        on_delete=models.CASCADE,
        related_name="values",
        verbose_name=_("attribute"),
    )
    text_value = models.TextField(_("text"), blank=True)
    integer_value = models.BigIntegerField(_("whole number"), null=True, blank=True)
    float_value = models.FloatField(_("decimal number"), null=True, blank=True)
    boolean_value = models.BooleanField(_("yes or no"), null=True, blank=True)
    date_value = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("case attribute value")
        verbose_name_plural = _("case attribute values")
        constraints = [
            models.UniqueConstraint(fields=["case", "attribute"], name="qualitative_value_once"),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.attribute}: {self.value}"

    @property
    def value(self) -> str | int | float | bool | date | None:
        kind = self.attribute.value_type
        if kind == AttributeType.TEXT:
            return self.text_value
        return getattr(self, f"{kind}_value")  # type: ignore[no-any-return]  # typed columns

    def set_value(self, value: Any) -> None:
        """Store ``value`` (already of the attribute's type) in its column, clearing the others."""
        self.text_value = ""
        self.integer_value = self.float_value = self.boolean_value = self.date_value = None
        if self.attribute.value_type == AttributeType.TEXT:
            self.text_value = value or ""
        else:
            setattr(self, f"{self.attribute.value_type}_value", value)


class DocumentSource(models.TextChoices):
    TEXT_FILE = "txt", _("Text file")
    WORD_FILE = "docx", _("Word document")
    PASTED = "paste", _("Pasted text")
    EXCHANGE = "refi", _("REFI-QDA project")


class DocumentQuerySet(models.QuerySet["Document"]):
    @override
    def update(self, **kwargs: Any) -> int:
        if {"text", "text_sha256", "char_count"} & set(kwargs):
            raise ValueError("text: a document's text never changes after import")
        return super().update(**kwargs)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Document(models.Model):
    """A transcript or other text; its ``text`` is fixed on import (line endings ``\\n``).

    ``save`` refuses a text that differs from the one first stored (``text_sha256``), and the
    queryset's ``update`` refuses to touch it, so character offsets stay valid for ever. The
    title, the case it belongs to and its archiving may change.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="documents", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("case"),
    )
    text = models.TextField(_("text"))
    text_sha256 = models.CharField(max_length=64, editable=False)
    char_count = models.PositiveIntegerField(_("characters"), editable=False)
    source = models.CharField(_("source"), max_length=6, choices=DocumentSource.choices)
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    detected_encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["title", "pk"]

    @override
    def __str__(self) -> str:
        return self.title

    @override
    def save(self, *args: Any, **kwargs: Any) -> None:
        digest = text_digest(self.text)
        if self._state.adding and not self.text_sha256:
            self.text_sha256 = digest
            self.char_count = len(self.text)
        elif digest != self.text_sha256 or self.char_count != len(self.text):
            raise ValueError("text: a document's text never changes after import")
        super().save(*args, **kwargs)

    @override
    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if not self.title.strip():
            errors["title"] = _("Give the document a title.")
        if not self.text.strip():
            errors["text"] = _("The document has no text.")
        elif len(self.text) > MAX_DOCUMENT_CHARS:
            errors["text"] = _("The text is longer than %(max)s characters.") % {
                "max": MAX_DOCUMENT_CHARS
            }
        if "\r" in self.text:
            errors["text"] = _("Line endings must be normalised before the text is stored.")
        if self.case is not None and self.case.project_id != self.project_id:
            errors["case"] = _("This case belongs to another project.")
        if errors:
            raise ValidationError(errors)


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#rrggbb`` colour."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio between two ``#rrggbb`` colours (1 to 21)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(colour: str) -> str:
    """Black or white, whichever reads better over ``colour`` (at least 4.5:1 for any colour)."""
    black, white = "#000000", "#ffffff"
    return black if contrast_ratio(colour, black) >= contrast_ratio(colour, white) else white


class Code(models.Model):
    """A node of the codebook tree: a category, a theme or a code, at any depth.

    A code merged into another stays, archived, with ``merged_into`` set: its codings moved.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="codes", verbose_name=_("project")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=200)
    colour = models.CharField(
        _("colour"), max_length=7, default="#4477aa", help_text=_("For example #4477aa.")
    )
    definition = models.TextField(_("definition"), blank=True)
    inclusion = models.TextField(_("inclusion criteria"), blank=True)
    exclusion = models.TextField(_("exclusion criteria"), blank=True)
    example = models.TextField(_("example"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_archived = models.BooleanField(_("archived"), default=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["project", "parent", "position"])]

    @override
    def __str__(self) -> str:
        return self.name

    @property
    def text_colour(self) -> str:
        return text_colour_on(self.colour)

    @override
    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if not self.name.strip():
            errors["name"] = _("Give the code a name.")
        if not HEX_COLOUR.match(self.colour or ""):
            errors["colour"] = _("Enter a colour as # and six hexadecimal digits, like #4477aa.")
        else:
            self.colour = self.colour.lower()
        if self.parent is not None:
            if self.parent.project_id != self.project_id:
                errors["parent"] = _("This code belongs to another project.")
            elif not self._state.adding and self._is_own_ancestor():
                errors["parent"] = _("A code cannot be placed inside itself or its own subcodes.")
        if errors:
            raise ValidationError(errors)

    def _is_own_ancestor(self) -> bool:
        seen: set[int] = set()
        node: Code | None = self.parent
        while node is not None and node.pk not in seen:
            if node.pk == self.pk:
                return True
            seen.add(node.pk)
            node = node.parent
        return False


class Coding(models.Model):
    """A stretch ``[start, end)`` of a document's text, in code points, given a code by a coder.

    A coding imported from a REFI-QDA file whose coder is not a Tandem user keeps that coder's
    name in ``coder_label``; ``coder`` is then the person who imported it. The coder is thus
    the pair (``coder``, ``coder_label``): ``coder_key`` and ``coder_name`` give it.
    """

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="codings", verbose_name=_("document")
    )
    code = models.ForeignKey(
        Code, on_delete=models.PROTECT, related_name="codings", verbose_name=_("code")
    )
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coder"),
    )
    # A consensus coding is the agreed result of reconciling two coders' codings; its coder
    # is the lead who reconciled them. It takes no part in the agreement between coders.
    is_consensus = models.BooleanField(_("consensus"), default=False)
    # A removed coding is kept, voided, with the reason in the project's history.
    is_voided = models.BooleanField(_("removed"), default=False)
    coder_label = models.CharField(
        _("imported coder"),
        max_length=200,
        blank=True,
        help_text=_("The coder named in an imported REFI-QDA file, when not a Tandem user."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("coding")
        verbose_name_plural = _("codings")
        ordering = ["document", "start", "end", "pk"]
        indexes = [models.Index(fields=["code", "document"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="qualitative_coding_not_empty"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.code} [{self.start}, {self.end})"

    @property
    def coder_key(self) -> tuple[int, str]:
        """Who coded, for agreement: the user, or the imported coder they brought in."""
        return (self.coder_id, self.coder_label)

    @property
    def coder_name(self) -> str:
        return self.coder_label or self.coder.full_name

    @override
    def clean(self) -> None:
        if self.end <= self.start:
            raise ValidationError({"end": _("A coding ends after it starts.")})
        if self.end > self.document.char_count:
            raise ValidationError({"end": _("A coding ends within the document's text.")})
        if self.code.project_id != self.document.project_id:
            raise ValidationError({"code": _("This code belongs to another project.")})


class Memo(models.Model):
    """A note about the project, or one of its codes, documents or cases."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memos", verbose_name=_("project")
    )
    code = models.ForeignKey(
        Code,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memos",
        verbose_name=_("code"),
    )
    document = models.ForeignKey(
        Document,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memos",
        verbose_name=_("document"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memos",
        verbose_name=_("case"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("memo"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("memo")
        verbose_name_plural = _("memos")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(code__isnull=True, document__isnull=True, case__isnull=True)
                    | models.Q(code__isnull=False, document__isnull=True, case__isnull=True)
                    | models.Q(code__isnull=True, document__isnull=False, case__isnull=True)
                    | models.Q(code__isnull=True, document__isnull=True, case__isnull=False)
                ),
                name="qualitative_memo_one_subject",
            ),
        ]

    @override
    def __str__(self) -> str:
        return self.title

    @property
    def subject(self) -> Code | Document | Case | None:
        return self.code or self.document or self.case

    @override
    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if not self.title.strip():
            errors["title"] = _("Give the memo a title.")
        if not self.body.strip():
            errors["body"] = _("Write the memo.")
        subject = self.subject
        if subject is not None and subject.project_id != self.project_id:
            errors["title"] = _("The memo's subject belongs to another project.")
        if errors:
            raise ValidationError(errors)


class CodebookVersion(models.Model):
    """The codebook as it stood when someone saved a version: ``codes`` is a list of
    ``{"id", "name", "parent_id", "position"}`` (archived codes left out)."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="codebook_versions",
        verbose_name=_("project"),
    )
    label = models.CharField(_("label"), max_length=200)
    codes = models.JSONField(_("codes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("codebook version")
        verbose_name_plural = _("codebook versions")
        ordering = ["-created_at", "-pk"]

    @override
    def __str__(self) -> str:
        return self.label

    @override
    def clean(self) -> None:
        if not self.label.strip():
            raise ValidationError({"label": _("Give the version a label.")})


class ChangeKind(models.TextChoices):
    EDIT = "edit", _("Corrected")
    VOID = "void", _("Archived")
    RESTORE = "restore", _("Restored")
    MOVE = "move", _("Moved")
    MERGE = "merge", _("Merged")
    RECONCILE = "agree", _("Reconciled")


class ProjectChange(models.Model):
    """One correction, archiving, move or merge in a project: what changed, from what, and why.

    ``changes`` is a list of ``{"field", "before", "after"}``. It may hold what people wrote,
    so it stays here, read by members only, never in the audit log.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="changes", verbose_name=_("project")
    )
    object_type = models.CharField(_("record type"), max_length=64)
    object_id = models.PositiveBigIntegerField(_("record id"))
    kind = models.CharField(_("kind"), max_length=8, choices=ChangeKind.choices)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("project change")
        verbose_name_plural = _("project changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    @override
    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_type} {self.object_id}"

    @override
    def clean(self) -> None:
        if not self.reason.strip():
            raise ValidationError({"reason": _("Say why the record is changed.")})


class CheckLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class MemberCheck(models.Model):
    """A case's summary shared with the participant on a one-time link, and their answer.

    The link works as the self-report links do: only the SHA-256 of its token is stored, it
    expires, and it is used once (the answer closes it). The participant's answer (whether they
    agree, and their comment) is kept here for the project's members.
    """

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="member_checks",
        verbose_name=_("project"),
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="member_checks", verbose_name=_("case")
    )
    summary = models.TextField(_("summary"))
    language = models.CharField(
        _("language"), max_length=2, choices=CheckLanguage.choices, default=CheckLanguage.ENGLISH
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    agrees = models.BooleanField(_("agrees"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("member check")
        verbose_name_plural = _("member checks")
        ordering = ["-created_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.case} ({self.created_at:%Y-%m-%d})"

    @override
    def clean(self) -> None:
        if not self.summary.strip():
            raise ValidationError({"summary": _("Write the summary to share.")})
        if self.case.project_id != self.project_id:
            raise ValidationError({"case": _("This case belongs to another project.")})
