"""A training cohort for tests: built through the services, as a trainer would."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.measures.registry import get_instrument
from tandem.orgs.models import Agency
from tandem.training import services
from tandem.training.models import (
    DEFAULT_PRINCIPLES,
    Cohort,
    EfficacyWave,
    FollowUp,
    SwapRequest,
    SwapStatus,
    TrainingSession,
    WaveKind,
)
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


def a_follow_up(cohort: Cohort) -> FollowUp:
    """The first presenter's follow-up at the second session (written once)."""
    note = first_session(cohort).presentations.get().note
    existing = note.follow_ups.first()
    if existing is not None:
        return existing
    later = cohort.sessions.order_by("held_on")[1]
    return services.record_follow_up(
        actor=note.presentation.participant.user,
        note=note,
        session=later,
        what_i_tried="Asked what mattered most to him.",
        what_happened="He came to the next meeting.",
    )


def accepted_swap(cohort: Cohort) -> SwapRequest:
    """An accepted swap between the two participants after the first presenter (made once)."""
    existing = cohort.swaps.filter(status=SwapStatus.ACCEPTED).first()
    if existing is not None:
        return existing
    first = first_session(cohort).presentations.get().participant
    others = list(cohort.participants.exclude(pk=first.pk).order_by("rota_position")[:2])
    if len(others) < 2:  # a cohort of one, only ever reached from outside it (404)
        others = list(cohort.participants.order_by("rota_position")[:2])
    return SwapRequest.objects.create(
        cohort=cohort, requester=others[0], partner=others[-1], status=SwapStatus.ACCEPTED
    )


def baseline_wave(cohort: Cohort) -> EfficacyWave:
    """The cohort's baseline self-efficacy wave (opened once by its trainer), open for a week."""
    existing = cohort.efficacy_waves.filter(kind=WaveKind.BASELINE).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    return services.open_wave(
        actor=cohort.trainers.get(),
        cohort=cohort,
        kind=WaveKind.BASELINE,
        opens_on=today,
        closes_on=today + timedelta(days=7),
    )


def cose_answers(rng: np.random.Generator, level: float) -> dict[str, int]:
    """Synthetic answers to every COSE item around ``level`` on its 1-6 scale."""
    instrument = get_instrument("cose")
    values = np.clip(np.rint(level + rng.normal(0, 0.9, len(instrument.items))), 1, 6)
    return {item.id: int(v) for item, v in zip(instrument.items, values, strict=True)}


def efficacy_cohort(agency: Agency, *, n: int = 6, seed: int = 7) -> Cohort:
    """A cohort of ``n`` new staff of ``agency`` who answered a baseline wave (three weeks ago)
    and an end wave (today), a little higher at the end, with varying attendance."""
    rng = np.random.default_rng(seed)
    trainer = trainer_of(agency)
    people = []
    for i in range(n):
        person = UserFactory.create(full_name=f"Participant {i + 1}", agency=agency)
        MembershipFactory.create(user=person, role=Role.CASE_MANAGER, agency=agency)
        people.append(person)
    cohort = make_cohort(
        trainer=trainer, participants=people, agencies=[agency], weeks_before=3, weeks_after=1
    )
    today = timezone.localdate()
    places = list(cohort.participants.order_by("rota_position"))
    sessions = list(cohort.sessions.filter(held_on__lt=today).order_by("held_on"))
    for s, session in enumerate(sessions):
        statuses = {p.pk: "present" if s <= i % 3 else "absent" for i, p in enumerate(places)}
        services.record_attendance(actor=trainer, session=session, statuses=statuses)
    start = today - timedelta(weeks=3)
    baseline = services.open_wave(
        actor=trainer, cohort=cohort, kind=WaveKind.BASELINE, opens_on=start, closes_on=start
    )
    end = services.open_wave(
        actor=trainer, cohort=cohort, kind=WaveKind.END, opens_on=today, closes_on=today
    )
    for place in places:
        level = rng.uniform(2.5, 4.0)
        services.submit_efficacy(
            actor=place.user, wave=baseline, answers=cose_answers(rng, level), today=start
        )
        services.submit_efficacy(
            actor=place.user, wave=end, answers=cose_answers(rng, level + 0.6), today=today
        )
    return cohort
