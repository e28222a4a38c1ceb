"""Sessions: their topic and principles, materials, and the attendance the trainer takes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.training.models import (
    Attendance,
    AttendanceStatus,
    ChangeKind,
    Material,
    MaterialKind,
    Presentation,
    PresentationStatus,
    Principle,
    TrainingSession,
)
from tandem.training.services._common import (
    audit,
    claim,
    record_change,
    require_manager,
    require_reason,
    snapshot,
    void,
)
from tandem.training.services.rota import replan_rota

SESSION_FIELDS = ["topic", "principles"]

MAX_MATERIAL_BYTES = 10 * 1024 * 1024
# Documents and images a session uses; the extension decides, the browser's type is not trusted.
MATERIAL_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def correct_session(
    *,
    actor: User,
    session: TrainingSession,
    expected_version: int,
    topic: str,
    principles: Sequence[Principle],
    reason: str = "",
) -> TrainingSession:
    """Set a session's topic and the principles it covers; changing what was set is a
    correction, and takes a reason."""
    cohort = session.cohort
    require_manager(actor, cohort)
    if any(p.cohort_id != cohort.pk for p in principles):
        raise ValidationError({"principles": _("Choose principles of this cohort.")})
    wanted = {"topic": topic.strip(), "principles": sorted(str(p) for p in principles)}
    was = snapshot(session, SESSION_FIELDS)
    is_correction = bool(was["topic"] or was["principles"]) and was != wanted
    if is_correction and session.version == expected_version:  # a stale form answers 409 first
        reason = require_reason(reason)
    with transaction.atomic():
        session = claim(session, expected_version)
        before = snapshot(session, SESSION_FIELDS)
        session.topic = topic.strip()
        session.full_clean()
        session.save(update_fields=["topic"])
        session.principles.set(principles)
        after = snapshot(session, SESSION_FIELDS)
        if before["topic"] or before["principles"]:
            if before != after and not reason.strip():
                raise ValidationError({"reason": _("Say why the record is changed.")})
            if before != after:
                record_change(
                    actor=actor,
                    cohort=cohort,
                    obj=session,
                    kind=ChangeKind.CORRECTED,
                    reason=reason.strip(),
                    previous=before,
                    current=after,
                )
        audit(actor, Action.UPDATE, session, cohort)
    return session


def record_attendance(
    *, actor: User, session: TrainingSession, statuses: Mapping[int, str], reason: str = ""
) -> int:
    """Record who was present, absent or excused (participant id -> status) in one go.

    Changing a status already recorded is a correction: it takes a reason, and the statuses
    before are kept in the session's history.

    A planned presenter who was there has given their turn; one who was not has missed it,
    and the rota is planned again so that they present at the next session they attend.
    """
    cohort = session.cohort
    require_manager(actor, cohort)
    places = {p.pk: p for p in cohort.participants.filter(is_active=True).select_related("user")}
    unknown = set(statuses) - set(places)
    if unknown:
        raise ValidationError(_("Attendance is for the participants of this cohort."))
    if any(s not in AttendanceStatus.values for s in statuses.values()):
        raise ValidationError(_("Choose present, absent or excused."))
    with transaction.atomic():
        existing = {a.participant_id: a for a in session.attendance.all()}
        changed = {
            places[pid].user.full_name: existing[pid].status
            for pid, status in statuses.items()
            if pid in existing and existing[pid].status != status
        }
        if changed:
            record_change(
                actor=actor,
                cohort=cohort,
                obj=session,
                object_type="attendance",
                kind=ChangeKind.CORRECTED,
                reason=require_reason(reason),
                previous=changed,
            )
        for pid, status in statuses.items():
            row = existing.get(pid)
            if row is None:
                Attendance.objects.create(
                    session=session, participant_id=pid, status=status, recorded_by=actor
                )
            elif row.status != status:
                row.status, row.recorded_by = status, actor
                row.save(update_fields=["status", "recorded_by", "recorded_at"])
        for turn in Presentation.objects.filter(session=session):
            was_there = statuses.get(turn.participant_id) == AttendanceStatus.PRESENT
            status = PresentationStatus.GIVEN if was_there else PresentationStatus.MISSED
            if turn.status != status:
                turn.status = status
                turn.save(update_fields=["status"])
        audit(actor, Action.UPDATE, session, cohort)
        replan_rota(actor=actor, cohort=cohort)
    return len(statuses)


def add_link(*, actor: User, session: TrainingSession, title: str, url: str) -> Material:
    cohort = session.cohort
    require_manager(actor, cohort)
    material = Material(
        session=session, kind=MaterialKind.LINK, title=title.strip(), url=url, added_by=actor
    )
    material.full_clean()
    with transaction.atomic():
        material.save()
        audit(actor, Action.CREATE, material, cohort)
    return material


def add_material_file(
    *, actor: User, session: TrainingSession, title: str, upload: UploadedFile[Any]
) -> Material:
    """Keep an uploaded document for the session (up to 10 MB; PDF, office, text or image)."""
    cohort = session.cohort
    require_manager(actor, cohort)
    filename = (upload.name or "").rsplit("/", 1)[-1]
    extension = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if extension not in MATERIAL_TYPES:
        raise ValidationError(
            {
                "upload": _("Files of this type are not kept. Upload one of: %(types)s.")
                % {"types": ", ".join(sorted(MATERIAL_TYPES))}
            }
        )
    if (upload.size or 0) > MAX_MATERIAL_BYTES:
        raise ValidationError({"upload": _("The file is larger than 10 MB.")})
    content = upload.read()
    if extension == ".pdf" and not content.startswith(b"%PDF"):
        raise ValidationError({"upload": _("This file is not a PDF document.")})
    material = Material(
        session=session,
        kind=MaterialKind.FILE,
        title=title.strip() or filename,
        filename=filename[:200],
        content_type=MATERIAL_TYPES[extension],
        content=content,
        size_bytes=len(content),
        added_by=actor,
    )
    material.full_clean(exclude=["content"])
    with transaction.atomic():
        material.save()
        audit(actor, Action.CREATE, material, cohort)
    return material


def void_material(*, actor: User, material: Material, reason: str) -> Material:
    """Remove a file or link from the session's list, with the reason; the row stays."""
    cohort = material.session.cohort
    require_manager(actor, cohort)
    with transaction.atomic():
        material = claim(material, material.version)
        void(material, actor, reason)
        audit(actor, Action.DELETE, material, cohort)
    return material
