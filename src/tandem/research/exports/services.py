"""Writes of data set exports: ask for one, build it (the background task's body), void it,
and hand its file to a member. Each checked and audited; personal data never in an error.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tandem.accounts.models import User
from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.research.exports import selectors
from tandem.research.exports.files import EXTENSIONS, export_bytes, limit_blas_threads
from tandem.research.models import DatasetExport, ExportFormat, ExportStatus, Study

logger = logging.getLogger(__name__)

# Progress messages, stored in English and translated where shown.
MESSAGES = {
    "queued": gettext_noop("Waiting for the background worker."),
    "spec": gettext_noop("Reading the study's protocol and consents."),
    "build": gettext_noop("Building the de-identified data set."),
    "write": gettext_noop("Writing the file."),
    "done": gettext_noop("Ready."),
    "failed": gettext_noop("The data set could not be built. Try again, or tell the support team."),
    "no_access": gettext_noop("The person who asked no longer has access to the study's exports."),
}


class ExportNotReadyError(Exception):
    """The export has no file to give: not built yet, failed, or voided."""


def export_download_name(export: DatasetExport, study: Study) -> str:
    """The file's name for people: the study's short name, the build date and the export's
    number, never anything personal."""
    when = timezone.localtime(export.finished_at or export.requested_at)
    return f"{study.slug}-{when:%Y-%m-%d}-export{export.pk}.{EXTENSIONS[export.format]}"


def request_export(
    *, actor: User, study: Study, export_format: str, enqueue: bool = True
) -> DatasetExport:
    """Queue an export of ``study``'s data set; the worker builds it once the row is committed.

    ``enqueue=False`` leaves building to the caller (the command line builds at once).
    """
    if not selectors.may_see_exports(actor, study):
        raise PermissionDenied
    if export_format not in ExportFormat.values:
        raise ValidationError({"format": _("Choose CSV, SPSS or Parquet.")})
    export = DatasetExport(
        study=study,
        requested_by=actor,
        format=export_format,
        message=MESSAGES["queued"],
    )
    with transaction.atomic():
        export.save()
        record_event(actor=actor, action=Action.CREATE, obj=export, agency_id=study.agency_id)
        if enqueue:
            from tandem.research.exports.tasks import build_export

            pk = export.pk
            transaction.on_commit(lambda: build_export.enqueue(pk))
    return export


def _progress(export_id: int, percent: int, message_key: str) -> None:
    DatasetExport.objects.filter(pk=export_id).update(
        status=ExportStatus.RUNNING, progress=percent, message=MESSAGES[message_key]
    )


def _fail(export: DatasetExport, message_key: str, error: str) -> str:
    with transaction.atomic():
        DatasetExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED,
            message=MESSAGES[message_key],
            error=error[:300],
            finished_at=timezone.now(),
        )
        record_event(
            actor=None,
            action=Action.UPDATE,
            obj=export,
            agency_id=export.study.agency_id,
            outcome=Outcome.FAILED,
        )
    return ExportStatus.FAILED


def run_export(export_id: int) -> str:
    """Build the data set of a queued export, write its file and record rows, hash and data
    version; returns the final status. Checks again that the person who asked may still.

    The error kept on failure names the kind of failure (the exception's class), never its
    message, which could quote a value from the data.
    """
    export = DatasetExport.objects.select_related("study", "requested_by").get(pk=export_id)
    if export.status != ExportStatus.QUEUED or export.is_voided:
        return export.status
    study = export.study
    if not export.requested_by.is_active or not selectors.may_see_exports(
        export.requested_by, study
    ):
        return _fail(export, "no_access", "PermissionDenied")
    try:
        with limit_blas_threads():
            _progress(export.pk, 5, "spec")
            # Read once, before the data: the version the file is built from.
            data_version = Study.objects.values_list("data_version", flat=True).get(pk=study.pk)
            from tandem.research.dataset.build import build_dataset
            from tandem.research.spec import dataset_spec

            spec = dataset_spec(study)
            _progress(export.pk, 15, "build")
            dataset = build_dataset(spec)
            _progress(export.pk, 75, "write")
            built = export_bytes(
                dataset,
                export.format,
                study_title=study.title,
                study_slug=study.slug,
                data_version=data_version,
                built_at=timezone.localtime(),
            )
            path = f"research/exports/{study.pk}/{uuid.uuid4().hex}.{EXTENSIONS[export.format]}"
            stored = default_storage.save(path, ContentFile(built.content))
    except Exception as exc:  # any failure must end as a failed export, not a stuck one
        logger.warning("export %s failed: %s", export.pk, type(exc).__name__)
        return _fail(export, "failed", type(exc).__name__)
    with transaction.atomic():
        DatasetExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.DONE,
            progress=100,
            message=MESSAGES["done"],
            row_count=built.row_count,
            n_enrolled=dataset.n_enrolled,
            sha256=built.sha256,
            data_version=data_version,
            file_name=stored,
            error="",
            finished_at=timezone.now(),
        )
        record_event(actor=None, action=Action.UPDATE, obj=export, agency_id=study.agency_id)
    return ExportStatus.DONE


def void_export(*, actor: User, export: DatasetExport, reason: str) -> DatasetExport:
    """Void an export with a reason: its file is removed, the row and its hash stay."""
    if not selectors.may_void(actor, export):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the export is voided.")})
    if export.is_voided:
        raise ValidationError({"reason": _("This export is already voided.")})
    file_name = export.file_name
    with transaction.atomic():
        claimed = DatasetExport.objects.filter(pk=export.pk, is_voided=False).update(
            is_voided=True,
            void_reason=reason[:500],
            voided_by=actor,
            voided_at=timezone.now(),
            file_name="",
        )
        if claimed == 0:
            raise ValidationError({"reason": _("This export is already voided.")})
        record_event(
            actor=actor, action=Action.DELETE, obj=export, agency_id=export.study.agency_id
        )
        if file_name:
            transaction.on_commit(lambda: default_storage.delete(file_name))
    export.refresh_from_db()
    return export


@dataclass(frozen=True)
class ExportDownload:
    file: File[bytes]
    name: str
    media_type: str


MEDIA_TYPES = {
    ExportFormat.CSV: "application/zip",
    ExportFormat.SAV: "application/x-spss-sav",
    ExportFormat.PARQUET: "application/vnd.apache.parquet",
}


def open_export(*, actor: User | None, export: DatasetExport) -> ExportDownload:
    """The export's file for a member of its study (``actor=None``: the command line), audited
    as an export of the study with the export's number and hash."""
    study = export.study
    if actor is not None and not selectors.may_download(actor, study):
        raise PermissionDenied
    if not export.is_ready:
        raise ExportNotReadyError
    file = default_storage.open(export.file_name, "rb")
    # The event holds identifiers only: study, export and (as much as fits) the file's hash.
    reference = f"{study.pk}:{export.pk}:"
    record_event(
        actor=actor,
        action=Action.EXPORT,
        object_type="research.datasetexport",
        object_id=reference + export.sha256[: 64 - len(reference)],
        agency_id=study.agency_id,
    )
    return ExportDownload(
        file=file,
        name=export_download_name(export, study),
        media_type=MEDIA_TYPES[ExportFormat(export.format)],
    )
