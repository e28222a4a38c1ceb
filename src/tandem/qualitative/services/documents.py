"""Documents: imported once (text fixed, line endings normalised), then titled, linked, archived."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.qualitative.importing import (
    ImportRefusedError,
    decode_text,
    docx_text,
    normalise_line_endings,
)
from tandem.qualitative.models import (
    MAX_DOCUMENT_CHARS,
    MAX_UPLOAD_BYTES,
    Case,
    ChangeKind,
    Document,
    DocumentSource,
    Project,
    ProjectRole,
)
from tandem.qualitative.services.common import (
    audit_created,
    claim_version,
    correct,
    refuse_if_archived,
    require_project_role,
    require_reason,
)


def _check_case(project: Project, case: Case | None) -> None:
    if case is not None and case.project_id != project.pk:
        raise ValidationError({"case": _("This case belongs to another project.")})


def import_text(
    *,
    actor: User,
    project: Project,
    title: str,
    text: str,
    source: str = DocumentSource.PASTED,
    case: Case | None = None,
    original_filename: str = "",
    detected_encoding: str = "",
) -> Document:
    """Store a new document (leads). Line endings become ``\\n`` here, once; then the text is
    fixed for good, so that every coding's offsets keep pointing at the same words."""
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    _check_case(project, case)
    normalised = normalise_line_endings(text)
    if len(normalised) > MAX_DOCUMENT_CHARS:
        raise ValidationError(
            {
                "text": _("The text has %(count)s characters; a document holds at most %(max)s.")
                % {"count": len(normalised), "max": MAX_DOCUMENT_CHARS}
            }
        )
    document = Document(
        project=project,
        title=title.strip(),
        case=case,
        text=normalised,
        source=source,
        original_filename=original_filename[:255],
        detected_encoding=detected_encoding,
        created_by=actor,
    )
    document.full_clean(exclude=["text_sha256", "char_count"])
    with transaction.atomic():
        document.save()
        audit_created(actor, project, document)
    return document


def import_file(
    *,
    actor: User,
    project: Project,
    title: str,
    filename: str,
    content: bytes,
    case: Case | None = None,
) -> Document:
    """Store an uploaded ``.txt`` (any common encoding, detected) or ``.docx`` file (leads).

    The title defaults to the file's name. Refusals name the field ``file``.
    """
    require_project_role(actor, project, ProjectRole.LEAD)
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(max)s MB.")
                % {"max": MAX_UPLOAD_BYTES // (1024 * 1024)}
            }
        )
    suffix = PurePath(filename).suffix.lower()
    try:
        if suffix == ".txt":
            decoded = decode_text(content)
            text, encoding, source = decoded.text, decoded.encoding, DocumentSource.TEXT_FILE
        elif suffix == ".docx":
            text, encoding, source = docx_text(content), "", DocumentSource.WORD_FILE
        else:
            raise ImportRefusedError(_("Upload a .txt or .docx file."))
    except ImportRefusedError as problem:
        raise ValidationError({"file": str(problem)}) from None
    try:
        return import_text(
            actor=actor,
            project=project,
            title=title.strip() or PurePath(filename).stem,
            text=text,
            source=source,
            case=case,
            original_filename=filename,
            detected_encoding=encoding,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "text" in error.error_dict:
            raise ValidationError({"file": error.error_dict.pop("text")}) from None
        raise


def update_document(
    *,
    actor: User,
    document: Document,
    expected_version: int,
    reason: str,
    title: str,
    case: Case | None,
) -> Document:
    """Correct a document's title or its case (leads); its text never changes."""
    project = document.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    require_reason(reason)
    _check_case(project, case)
    with transaction.atomic():
        current = claim_version(Document, document.pk, expected_version)
        return correct(
            actor=actor,
            project=project,
            obj=current,
            fields={"title": title.strip(), "case": case},
            reason=reason,
        )


def set_document_archived(
    *, actor: User, document: Document, expected_version: int, archived: bool, reason: str
) -> Document:
    """Archive a document (its codings stay) or restore it, with a reason (leads)."""
    project = document.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    require_reason(reason)
    with transaction.atomic():
        current = claim_version(Document, document.pk, expected_version)
        return correct(
            actor=actor,
            project=project,
            obj=current,
            fields={"is_archived": archived},
            reason=reason,
            kind=ChangeKind.VOID if archived else ChangeKind.RESTORE,
        )
