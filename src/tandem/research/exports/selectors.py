"""Who reaches a study's exports, and the reads behind the export pages.

A study's members (its lead and researchers) and the administrators of its agency see its
exports and ask for new ones; only members download them. Anyone else gets 404, as for a study
that does not exist (the views turn away other roles with 403 first).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tandem.accounts.access import agency_ids_administered_by
from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import deny_read
from tandem.research.models import DatasetExport, MemberRole, Study, StudyMember


def studies_exported_by(user: User) -> QuerySet[Study]:
    """Studies whose exports the user sees: member, or administrator of the study's agency."""
    return Study.objects.filter(
        Q(members__user=user) | Q(agency_id__in=agency_ids_administered_by(user))
    ).distinct()


def may_see_exports(user: User, study: Study) -> bool:
    return study.agency_id in agency_ids_administered_by(user) or is_member(user, study)


def is_member(user: User, study: Study) -> bool:
    return StudyMember.objects.filter(study=study, user=user).exists()


def may_download(user: User, study: Study) -> bool:
    """Only the study's members download its data (the issue: "study members only")."""
    return is_member(user, study)


def may_void(user: User, export: DatasetExport) -> bool:
    """Whoever asked for the export, the study's lead, or an administrator of its agency."""
    if export.requested_by_id == user.pk:
        return True
    study = export.study
    if study.agency_id in agency_ids_administered_by(user):
        return True
    return StudyMember.objects.filter(study=study, user=user, role=MemberRole.LEAD).exists()


def get_export_study_for(user: User, pk: int) -> Study:
    """A study whose exports the user sees (audited); 404 otherwise."""
    study = studies_exported_by(user).filter(pk=pk).select_related("agency").first()
    if study is None:
        deny_read(user, "research.study", pk)
    return study


def exports_of(study: Study) -> QuerySet[DatasetExport]:
    """The study's exports, newest first, with the people named on the list (one query)."""
    return (
        DatasetExport.objects.filter(study=study)
        .select_related("requested_by", "voided_by")
        .order_by("-requested_at", "-pk")
    )


def get_export_for(user: User, pk: int) -> DatasetExport:
    """An export of a study whose exports the user sees (audited); 404 otherwise."""
    export = (
        DatasetExport.objects.filter(pk=pk, study__in=studies_exported_by(user))
        .select_related("study", "requested_by")
        .first()
    )
    if export is None:
        deny_read(user, "research.datasetexport", pk)
    record_event(actor=user, action=Action.VIEW, obj=export, agency_id=export.study.agency_id)
    return export
