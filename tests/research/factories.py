"""Studies and consents for tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.clients.models import Client
from tandem.orgs.models import Agency, Programme
from tandem.research.models import (
    DiagnosisGroup,
    Enrolment,
    MemberRole,
    Study,
    StudyMember,
    StudyStatus,
)
from tests.factories import UserFactory


def study_in(agency: Agency, *, programme: Programme | None = None) -> Study:
    """The agency's first study, or a new active one over its first programme, led by its first
    researcher (when it has one)."""
    study = Study.objects.filter(agency=agency).order_by("pk").first()
    if study is not None:
        return study
    creator = (
        User.objects.filter(memberships__agency=agency, memberships__role=Role.AGENCY_ADMIN)
        .order_by("pk")
        .first()
    ) or UserFactory.create(agency=agency)
    study = Study.objects.create(
        agency=agency,
        slug="alliance",
        title=f"Alliance study {agency.name}",
        status=StudyStatus.ACTIVE,
        created_by=creator,
    )
    first = programme or agency.programmes.order_by("pk").first()
    assert first is not None  # the agency runs a programme
    study.programmes.set([first])
    researcher = (
        User.objects.filter(memberships__agency=agency, memberships__role=Role.RESEARCHER)
        .order_by("pk")
        .first()
    )
    if researcher is not None:
        StudyMember.objects.create(
            study=study, user=researcher, role=MemberRole.LEAD, added_by=creator
        )
    return study


def consent_of(client: Client, study: Study | None = None) -> Enrolment:
    """The client's live consent to ``study`` (default: the first study of its agency)."""
    study = study or study_in(client.agency)
    found = Enrolment.objects.filter(study=study, client=client, is_voided=False).first()
    if found is not None:
        return found
    return Enrolment.objects.create(
        study=study,
        client=client,
        consented_on=timezone.localdate() - timedelta(days=30),
        form_version="v1",
        diagnosis_group=DiagnosisGroup.PSYCHOTIC,
        recorded_by=study.created_by,
    )
