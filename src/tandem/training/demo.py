"""Synthetic training data for the demo: a community of practice across two agencies.

Ten case managers (six of the demo agency, four of the partner agency) met weekly for eight
sessions that are now over, with attendance taken, presenters from the fair rota, two
de-identified consultation notes and a follow-up, and the self-efficacy questionnaire (COSE)
answered at baseline and at the end, a little higher at the end. Everything is invented.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from tandem.accounts.models import User
from tandem.measures.registry import get_instrument
from tandem.orgs.models import Agency
from tandem.training import services
from tandem.training.models import (
    DEFAULT_PRINCIPLES,
    AttendanceStatus,
    Cohort,
    PresentationStatus,
    WaveKind,
)

N_SESSIONS = 8
SEED = 20261207
TOPICS = (
    "Opening the programme: how we consult on cases",
    "Engagement after a missed meeting",
    "Ambivalence about change",
    "Strong emotions in a home visit",
    "Thinking about another's mind",
    "Interpersonal conflicts and roles",
    "Unhelpful thoughts and small experiments",
    "Looking back: what we will keep doing",
)
# De-identified by construction: roles and ages only, no names, places, numbers or addresses.
NOTES = (
    {
        "presenting_question": "How do I keep a client engaged after two missed meetings?",
        "case_summary": (
            "A man in his forties living alone, recently out of hospital, who agreed to weekly "
            "meetings and has missed the last two without calling."
        ),
        "suggestions": (
            "Ask what mattered most to him last month; agree one small step he chooses; send "
            "a short friendly message before the next meeting."
        ),
    },
    {
        "presenting_question": "My client wants to stop her treatment: how do I respond?",
        "case_summary": (
            "A woman in her thirties who says the treatment dulls her and wants to stop it; she "
            "also says she wants to keep her job, which she nearly lost last winter."
        ),
        "suggestions": (
            "Reflect both sides before giving information; ask permission before advice; look "
            "together at what helped her keep her job."
        ),
    },
)
FOLLOW_UP = {
    "what_i_tried": "I asked what mattered most to him and we agreed a short walk together.",
    "what_happened": "He came to the next two meetings and asked to plan the walk again.",
}


def _answers(rng: np.random.Generator, level: float) -> dict[str, int]:
    """Synthetic answers to every COSE item around ``level`` on its 1-6 scale."""
    instrument = get_instrument("cose")
    values = np.clip(np.rint(level + rng.normal(0, 0.6, len(instrument.items))), 1, 6)
    return {item.id: int(v) for item, v in zip(instrument.items, values, strict=True)}


def load_training_demo(
    *, agency: Agency, partner: Agency, participants: list[User], trainer: User, today: date
) -> Cohort:
    """The demo cohort: eight weekly sessions held, the last one yesterday."""
    rng = np.random.default_rng(SEED)
    last = today - timedelta(days=1)
    first = last - timedelta(weeks=N_SESSIONS - 1)
    cohort = services.create_cohort(
        actor=trainer,
        name="Evidence-supported principles in case management (demo)",
        host_agency=agency,
        agencies=[agency, partner],
        trainers=[trainer],
        participants=participants,
        starts_on=first,
        ends_on=last,
        weekday=first.weekday(),
        presenters_per_session=2,
        principles=[str(p) for p in DEFAULT_PRINCIPLES],
    )
    places = list(cohort.participants.order_by("rota_position").select_related("user"))
    levels = {p.pk: rng.uniform(2.3, 4.6) for p in places}
    baseline = services.open_wave(
        actor=trainer,
        cohort=cohort,
        kind=WaveKind.BASELINE,
        opens_on=first - timedelta(days=7),
        closes_on=first,
    )
    for place in places:
        services.submit_efficacy(
            actor=place.user,
            wave=baseline,
            answers=_answers(rng, levels[place.pk]),
            today=baseline.opens_on,
        )
    principles = list(cohort.principles.all())
    sessions = list(cohort.sessions.order_by("held_on"))
    for s, session in enumerate(sessions):
        services.correct_session(
            actor=trainer,
            session=session,
            expected_version=session.version,
            topic=TOPICS[s % len(TOPICS)],
            principles=[principles[s % len(principles)]],
        )
        statuses = {}
        for place in places:
            draw = rng.random()
            statuses[place.pk] = (
                AttendanceStatus.PRESENT
                if draw < 0.82
                else AttendanceStatus.EXCUSED
                if draw < 0.92
                else AttendanceStatus.ABSENT
            )
        services.record_attendance(actor=trainer, session=session, statuses=statuses)
    given = [
        turn
        for session in sessions[1:3]
        for turn in session.presentations.filter(status=PresentationStatus.GIVEN).select_related(
            "participant__user", "session"
        )[:1]
    ]
    notes = []
    for turn, text in zip(given, NOTES, strict=False):
        notes.append(
            services.write_note(
                actor=turn.participant.user,
                presentation=turn,
                principles=[principles[1], principles[2]],
                **text,
            )
        )
    if notes:
        note = notes[0]
        later = next(s for s in sessions if s.held_on > note.presentation.session.held_on)
        services.record_follow_up(
            actor=note.presentation.participant.user, note=note, session=later, **FOLLOW_UP
        )
    end = services.open_wave(
        actor=trainer,
        cohort=cohort,
        kind=WaveKind.END,
        opens_on=last,
        closes_on=today + timedelta(days=7),
    )
    attended = {p.pk: p.attendance.filter(status=AttendanceStatus.PRESENT).count() for p in places}
    for place in places:
        # A modest improvement, a little larger for those who came more often.
        gain = 0.05 + 0.02 * attended[place.pk] + rng.normal(0, 0.15)
        services.submit_efficacy(
            actor=place.user,
            wave=end,
            answers=_answers(rng, levels[place.pk] + gain),
            today=last,
        )
    return cohort
