"""Store an agency's licensed wording: a new revision per language, all or nothing, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from tandem.accounts.access import agency_ids_administered_by
from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.measures.models import InstrumentWording
from tandem.measures.wording import WordingDocument
from tandem.orgs.models import Agency


def _may_upload(actor: User | None, agency: Agency) -> bool:
    # ``actor=None`` is the command line, run by whoever operates the installation.
    if actor is None:
        return True
    if actor.is_superuser:
        return True
    return agency.pk in agency_ids_administered_by(actor)


def load_wording(
    *, actor: User | None, agency: Agency, document: WordingDocument, is_demo: bool = False
) -> list[InstrumentWording]:
    """Store a new revision of each language in the document, all or nothing, audited.

    ``is_demo`` marks invented demonstration statements: pages showing them say they are not
    the instrument's text.
    """
    if not _may_upload(actor, agency):
        record_event(
            actor=actor,
            action=Action.DENIED,
            object_type="measures.instrumentwording",
            agency_id=agency.pk,
            outcome="denied",
        )
        raise PermissionDenied
    instrument = document.instrument
    rows = []
    with transaction.atomic():
        # Lock the agency row so that two uploads cannot take the same revision number.
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        for language, texts in document.texts.items():
            latest = InstrumentWording.objects.filter(
                agency=agency,
                instrument_code=instrument.code,
                instrument_version=instrument.version,
                language=language,
            ).aggregate(latest=Max("revision"))["latest"]
            row = InstrumentWording(
                agency=agency,
                instrument_code=instrument.code,
                instrument_version=instrument.version,
                language=language,
                revision=(latest or 0) + 1,
                texts=texts,
                is_demo=is_demo,
                uploaded_by=actor,
            )
            row.full_clean()
            row.save()
            record_event(actor=actor, action=Action.CREATE, obj=row, agency_id=agency.pk)
            rows.append(row)
    return rows
