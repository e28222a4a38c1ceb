"""A training cohort for tests: built through the services, as a trainer would."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.orgs.models import Agency
from tandem.training import services
from tandem.training.models import DEFAULT_PRINCIPLES, Cohort, TrainingSession
from tests.factories import MembershipFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def trainer_of(agency: Agency) -> User:
    """The agency's first trainer, or a new one."""
    found = User.objects.filter(
        memberships__agency=agency, memberships__role=Role.TRAINER
    ).order_by("pk")
    trainer = found.first()
    if trainer is None:
        trainer = UserFactory.create(full_name="Trainer Z", agency=agency)
        MembershipFactory.create(user=trainer, role=Role.TRAINER, agency=agency)
    return trainer


def case_managers_of(agency: Agency) -> list[User]:
    ids = Membership.objects.filter(agency=agency, role=Role.CASE_MANAGER).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def make_cohort(
    *,
    trainer: User,
    participants: list[User],
    agencies: list[Agency],
    weeks_before: int = 2,
    weeks_after: int = 6,
    presenters_per_session: int = 1,
) -> Cohort:
    """A weekly cohort on today's weekday, ``weeks_before`` weeks ago to ``weeks_after`` on."""
    today = timezone.localdate()
    return services.create_cohort(
        actor=trainer,
        name=f"Consultation group {agencies[0].name}",
        host_agency=agencies[0],
        agencies=agencies,
        trainers=[trainer],
        participants=participants,
        starts_on=today - timedelta(weeks=weeks_before),
        ends_on=today + timedelta(weeks=weeks_after),
        weekday=today.weekday(),
        presenters_per_session=presenters_per_session,
        principles=[str(p) for p in DEFAULT_PRINCIPLES],
    )


def first_session(cohort: Cohort) -> TrainingSession:
    return cohort.sessions.filter(voided_at__isnull=True).order_by("held_on").first()  # type: ignore[return-value]  # a cohort has sessions


def held_cohort(agency: Agency) -> Cohort:
    """The agency's test cohort (made once): its first session held with everyone present,
    the first presenter's note written, and a file for the session."""
    existing = Cohort.objects.filter(host_agency=agency).order_by("pk").first()
    if existing is not None:
        return existing
    trainer = trainer_of(agency)
    cohort = make_cohort(trainer=trainer, participants=case_managers_of(agency), agencies=[agency])
    session = first_session(cohort)
    everyone = {p.pk: "present" for p in cohort.participants.all()}
    services.record_attendance(actor=trainer, session=session, statuses=everyone)
    presentation = session.presentations.get()
    services.write_note(
        actor=presentation.participant.user,
        presentation=presentation,
        presenting_question="Keeping a client engaged after a missed week",
        case_summary="A man in his forties, living alone, who missed two meetings.",
        principles=list(cohort.principles.all()[:2]),
        suggestions="Ask what mattered most last month, then agree one small next step.",
    )
    services.add_material_file(
        actor=trainer,
        session=session,
        title="Handout",
        upload=SimpleUploadedFile("handout.pdf", PDF, content_type="application/pdf"),
    )
    return cohort
