"""Reads of analysis runs: the study's members and its agency's administrators only.

A run holds aggregates (paths, tables, counts), never an identified record; still, only the
people who work on the study read it. Anyone else gets 404, audited, as for a run that does
not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tandem.accounts.access import agency_ids_administered_by
from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import deny_read
from tandem.research.models import AnalysisRun, RunStatus, Study, StudyMember


def may_run(user: User, study: Study) -> bool:
    """Whether the user reads and queues the study's runs: a member, or an administrator of
    its agency."""
    if study.agency_id in agency_ids_administered_by(user):
        return True
    return StudyMember.objects.filter(study=study, user=user).exists()


def runs_of(study: Study) -> QuerySet[AnalysisRun]:
    """The study's runs, newest first (voided ones included), without their results."""
    return (
        AnalysisRun.objects.filter(study=study)
        .select_related("requested_by")
        .defer("result")
        .order_by("-number", "-pk")
    )


def finished_runs_of(study: Study) -> QuerySet[AnalysisRun]:
    """The study's finished runs that count (not voided), oldest first, with their results."""
    return AnalysisRun.objects.filter(study=study, status=RunStatus.DONE, is_voided=False).order_by(
        "number", "pk"
    )


def get_run_for(user: User, pk: int) -> AnalysisRun:
    """A run of a study the user works on (audited); 404 otherwise."""
    run = AnalysisRun.objects.filter(pk=pk).select_related("study", "study__agency").first()
    if run is None or not may_run(user, run.study):
        deny_read(user, "research.analysisrun", pk)
    record_event(actor=user, action=Action.VIEW, obj=run, agency_id=run.study.agency_id)
    return run


def data_notes(run: AnalysisRun, runs: list[AnalysisRun], study: Study) -> list[str]:
    """Whether the data set changed between the run before and this one, and since this one.

    ``runs`` are the study's runs (any order); only runs that read a data set count.
    """
    if not run.dataset_sha256:
        return []
    notes = []
    before = [r for r in runs if r.number < run.number and r.dataset_sha256 and not r.is_voided]
    if before:
        previous = max(before, key=lambda r: r.number)
        if previous.data_version != run.data_version:
            notes.append(
                _("The data set has changed since run %(number)s.") % {"number": previous.number}
            )
    if study.data_version != run.data_version:
        notes.append(_("The data set has changed since this run."))
    return notes
