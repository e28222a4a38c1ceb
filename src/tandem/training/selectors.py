"""Reads of training cohorts, narrowed to what the user may see.

A cohort is read by its trainers, its participants and the administrators of its member
agencies; anyone else gets 404, as for a cohort that does not exist. Nothing here reads client
records: consultation notes are de-identified when they are saved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import deny_read
from tandem.orgs.models import Agency
from tandem.training.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    ConsultationNote,
    CorrectionRecord,
    EfficacyResponse,
    EfficacyWave,
    FollowUp,
    Material,
    Participant,
    Presentation,
    PresentationStatus,
    Principle,
    SwapRequest,
    SwapStatus,
    TrainingSession,
)

CREATING_ROLES = (Role.TRAINER, Role.AGENCY_ADMIN)


def agencies_for_cohorts_of(user: User) -> QuerySet[Agency]:
    """Agencies where the user may start a cohort: those where they train or administer."""
    ids = Membership.objects.filter(user=user, role__in=CREATING_ROLES).values("agency_id")
    return Agency.objects.filter(pk__in=ids).order_by("name")


def cohorts_visible_to(user: User) -> QuerySet[Cohort]:
    """Cohorts the user trains, takes part in, or administers an agency of (not voided)."""
    administered = Membership.objects.filter(user=user, role=Role.AGENCY_ADMIN).values("agency_id")
    return (
        Cohort.objects.filter(
            Q(trainers=user)
            | Q(participants__user=user, participants__is_active=True)
            | Q(agencies__in=administered),
            voided_at__isnull=True,
        )
        .distinct()
        .order_by("-starts_on", "name", "pk")
    )


def manages(user: User, cohort: Cohort) -> bool:
    """Whether the user runs the cohort: one of its trainers, or an administrator of an agency
    of the cohort."""
    if cohort.trainers.filter(pk=user.pk).exists():
        return True
    return Membership.objects.filter(
        user=user, role=Role.AGENCY_ADMIN, agency__in=cohort.agencies.all()
    ).exists()


def trains(user: User, cohort: Cohort) -> bool:
    """Whether the user is one of the cohort's trainers: the only people who open self-efficacy
    waves and read the cohort's self-efficacy report (agency administrators do not)."""
    return cohort.trainers.filter(pk=user.pk).exists()


def get_cohort_for(user: User, pk: int) -> Cohort:
    """A cohort the user may read (audited); 404 otherwise."""
    cohort = cohorts_visible_to(user).filter(pk=pk).select_related("host_agency").first()
    if cohort is None:
        deny_read(user, "training.cohort", pk)
    record_event(actor=user, action=Action.VIEW, obj=cohort, agency_id=cohort.host_agency_id)
    return cohort


def participant_of(user: User, cohort: Cohort) -> Participant | None:
    return Participant.objects.filter(cohort=cohort, user=user, is_active=True).first()


def eligible_staff(agencies: QuerySet[Agency]) -> QuerySet[User]:
    """Active staff holding a role at one of ``agencies``: who may take part in a cohort."""
    members = Membership.objects.filter(agency__in=agencies).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("full_name", "pk")


def eligible_trainers(agencies: QuerySet[Agency]) -> QuerySet[User]:
    members = Membership.objects.filter(agency__in=agencies, role=Role.TRAINER).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("full_name", "pk")


def sessions_of(cohort: Cohort) -> QuerySet[TrainingSession]:
    return cohort.sessions.filter(voided_at__isnull=True).prefetch_related("principles")


def get_session_for(user: User, pk: int) -> TrainingSession:
    """A session of a cohort the user may read (audited); 404 otherwise."""
    session = (
        TrainingSession.objects.filter(
            pk=pk, cohort__in=cohorts_visible_to(user), voided_at__isnull=True
        )
        .select_related("cohort__host_agency")
        .first()
    )
    if session is None:
        deny_read(user, "training.trainingsession", pk)
    record_event(
        actor=user, action=Action.VIEW, obj=session, agency_id=session.cohort.host_agency_id
    )
    return session


def get_material_for(user: User, pk: int) -> Material:
    material = (
        Material.objects.filter(
            pk=pk,
            voided_at__isnull=True,
            session__cohort__in=cohorts_visible_to(user),
            session__voided_at__isnull=True,
        )
        .select_related("session__cohort")
        .first()
    )
    if material is None:
        deny_read(user, "training.material", pk)
    record_event(
        actor=user,
        action=Action.VIEW,
        obj=material,
        agency_id=material.session.cohort.host_agency_id,
    )
    return material


def get_presentation_for(user: User, pk: int) -> Presentation:
    presentation = (
        Presentation.objects.filter(
            pk=pk,
            session__cohort__in=cohorts_visible_to(user),
            session__voided_at__isnull=True,
        )
        .select_related("session__cohort", "participant__user")
        .first()
    )
    if presentation is None:
        deny_read(user, "training.presentation", pk)
    record_event(
        actor=user,
        action=Action.VIEW,
        obj=presentation,
        agency_id=presentation.session.cohort.host_agency_id,
    )
    return presentation


def get_note_for(user: User, pk: int) -> ConsultationNote:
    note = (
        ConsultationNote.objects.filter(
            pk=pk, presentation__session__cohort__in=cohorts_visible_to(user)
        )
        .select_related("presentation__session__cohort", "presentation__participant__user")
        .first()
    )
    if note is None:
        deny_read(user, "training.consultationnote", pk)
    record_event(
        actor=user,
        action=Action.VIEW,
        obj=note,
        agency_id=note.presentation.session.cohort.host_agency_id,
    )
    return note


def get_follow_up_for(user: User, pk: int) -> FollowUp:
    """A follow-up its writer may correct or void; anyone else's, or a voided one, is 404."""
    follow_up = (
        FollowUp.objects.filter(pk=pk, written_by=user, voided_at__isnull=True)
        .filter(note__presentation__session__cohort__in=cohorts_visible_to(user))
        .select_related("note__presentation__session__cohort", "session")
        .first()
    )
    if follow_up is None:
        deny_read(user, "training.followup", pk)
    record_event(
        actor=user,
        action=Action.VIEW,
        obj=follow_up,
        agency_id=follow_up.note.presentation.session.cohort.host_agency_id,
    )
    return follow_up


def get_swap_for(user: User, pk: int) -> SwapRequest:
    swap = (
        SwapRequest.objects.filter(pk=pk, cohort__in=cohorts_visible_to(user))
        .select_related("cohort", "requester__user", "partner__user")
        .first()
    )
    if swap is None:
        deny_read(user, "training.swaprequest", pk)
    return swap


# ---- the cohort page -------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionRow:
    session: TrainingSession
    presenters: list[Presentation]
    counts: dict[str, int]
    status_by_participant: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EngagementRow:
    participant: Participant
    attended: int
    recorded: int
    given: int
    planned: int
    notes: int
    follow_ups: int


@dataclass(frozen=True)
class CohortOverview:
    cohort: Cohort
    participants: list[Participant]
    trainers: list[User]
    principles: list[Principle]
    sessions: list[SessionRow]
    engagement: list[EngagementRow]
    swaps: list[SwapRequest]


def cohort_overview(cohort: Cohort) -> CohortOverview:
    """Sessions with attendance and presenters, and each participant's engagement (a fixed
    number of queries whatever the cohort's size)."""
    participants = list(
        cohort.participants.filter(is_active=True)
        .select_related("user")
        .order_by("rota_position", "pk")
    )
    sessions = list(
        sessions_of(cohort).prefetch_related(
            Prefetch(
                "presentations",
                queryset=Presentation.objects.select_related("participant__user").order_by(
                    "participant__rota_position"
                ),
            ),
            Prefetch("attendance", queryset=Attendance.objects.all()),
        )
    )
    attended: Counter[int] = Counter()
    recorded: Counter[int] = Counter()
    rows = []
    for session in sessions:
        statuses = {a.participant_id: a.status for a in session.attendance.all()}
        for pid, status in statuses.items():
            recorded[pid] += 1
            attended[pid] += status == AttendanceStatus.PRESENT
        counts = Counter(statuses.values())
        rows.append(
            SessionRow(
                session=session,
                presenters=list(session.presentations.all()),
                counts={s: counts.get(s, 0) for s in AttendanceStatus.values},
                status_by_participant=statuses,
            )
        )
    turns = Counter((p.participant_id, p.status) for row in rows for p in row.presenters)
    notes = Counter(
        ConsultationNote.objects.filter(
            presentation__session__cohort=cohort, voided_at__isnull=True
        ).values_list("presentation__participant_id", flat=True)
    )
    follow_ups = Counter(
        FollowUp.objects.filter(
            note__presentation__session__cohort=cohort, voided_at__isnull=True
        ).values_list("note__presentation__participant_id", flat=True)
    )
    engagement = [
        EngagementRow(
            participant=p,
            attended=attended[p.pk],
            recorded=recorded[p.pk],
            given=turns[(p.pk, PresentationStatus.GIVEN)],
            planned=turns[(p.pk, PresentationStatus.PLANNED)],
            notes=notes[p.pk],
            follow_ups=follow_ups[p.pk],
        )
        for p in participants
    ]
    swaps = list(
        cohort.swaps.select_related("requester__user", "partner__user").order_by(
            "-created_at", "-pk"
        )[:20]
    )
    return CohortOverview(
        cohort=cohort,
        participants=participants,
        trainers=list(cohort.trainers.order_by("full_name")),
        principles=list(cohort.principles.all()),
        sessions=rows,
        engagement=engagement,
        swaps=swaps,
    )


def next_session_for(user: User, today: date | None = None) -> TrainingSession | None:
    """The next session of any cohort the user takes part in or trains, today included."""
    today = today or timezone.localdate()
    return (
        TrainingSession.objects.filter(
            Q(cohort__participants__user=user, cohort__participants__is_active=True)
            | Q(cohort__trainers=user),
            cohort__voided_at__isnull=True,
            voided_at__isnull=True,
            held_on__gte=today,
        )
        .select_related("cohort")
        .order_by("held_on", "pk")
        .first()
    )


def notes_of_cohort(
    cohort: Cohort, principle: Principle | None = None
) -> QuerySet[ConsultationNote]:
    """The cohort's consultation notes (not voided), newest first; by principle if given."""
    notes = ConsultationNote.objects.filter(
        presentation__session__cohort=cohort, voided_at__isnull=True
    )
    if principle is not None:
        notes = notes.filter(principles=principle)
    return (
        notes.select_related("presentation__session", "presentation__participant__user")
        .prefetch_related(
            "principles",
            Prefetch("follow_ups", queryset=FollowUp.objects.filter(voided_at__isnull=True)),
        )
        .order_by("-presentation__session__held_on", "-pk")
    )


@dataclass(frozen=True)
class OwnTraining:
    participant: Participant
    attended: list[TrainingSession]
    given: list[Presentation]
    to_come: list[Presentation]
    pending_swaps: list[SwapRequest]


def own_training_for(user: User) -> list[OwnTraining]:
    """Each cohort the user takes part in: sessions attended, presentations given and to come."""
    places = list(
        Participant.objects.filter(
            user=user, is_active=True, cohort__voided_at__isnull=True
        ).select_related("cohort", "user")
    )
    if not places:
        return []
    record_event(
        actor=user, action=Action.LIST, object_type="training.participant", object_id="own"
    )
    present = Attendance.objects.filter(
        participant__in=places, status=AttendanceStatus.PRESENT, session__voided_at__isnull=True
    ).select_related("session")
    attended: dict[int, list[TrainingSession]] = {p.pk: [] for p in places}
    for row in present.order_by("session__held_on"):
        attended[row.participant_id].append(row.session)
    turns: dict[int, list[Presentation]] = {p.pk: [] for p in places}
    for turn in Presentation.objects.filter(
        participant__in=places,
        status__in=[PresentationStatus.GIVEN, PresentationStatus.PLANNED],
        session__voided_at__isnull=True,
    ).select_related("session", "note"):
        turns[turn.participant_id].append(turn)
    swaps: dict[int, list[SwapRequest]] = {p.pk: [] for p in places}
    for swap in SwapRequest.objects.filter(
        Q(requester__in=places) | Q(partner__in=places), status=SwapStatus.PENDING
    ).select_related("requester__user", "partner__user"):
        for pid in (swap.requester_id, swap.partner_id):
            if pid in swaps:
                swaps[pid].append(swap)
    return [
        OwnTraining(
            participant=p,
            attended=attended[p.pk],
            given=[t for t in turns[p.pk] if t.status == PresentationStatus.GIVEN],
            to_come=[t for t in turns[p.pk] if t.status == PresentationStatus.PLANNED],
            pending_swaps=swaps[p.pk],
        )
        for p in places
    ]


# ---- self-efficacy waves ---------------------------------------------------------------------
def waves_of(cohort: Cohort) -> QuerySet[EfficacyWave]:
    return cohort.efficacy_waves.order_by("opens_on", "pk")


def get_wave_for(user: User, pk: int) -> EfficacyWave:
    """A self-efficacy wave of a cohort the user may read (audited); 404 otherwise."""
    wave = (
        EfficacyWave.objects.filter(pk=pk, cohort__in=cohorts_visible_to(user))
        .select_related("cohort__host_agency")
        .first()
    )
    if wave is None:
        deny_read(user, "training.efficacywave", pk)
    record_event(actor=user, action=Action.VIEW, obj=wave, agency_id=wave.cohort.host_agency_id)
    return wave


def own_response(wave: EfficacyWave, place: Participant) -> EfficacyResponse | None:
    """The participant's own answers to the wave, if given."""
    return EfficacyResponse.objects.filter(wave=wave, participant=place).first()


@dataclass(frozen=True)
class WaveDue:
    wave: EfficacyWave
    is_answered: bool


def efficacy_waves_open_for(user: User, today: date | None = None) -> list[WaveDue]:
    """The open waves of the cohorts the user takes part in, and whether they have answered."""
    today = today or timezone.localdate()
    waves = list(
        EfficacyWave.objects.filter(
            cohort__participants__user=user,
            cohort__participants__is_active=True,
            cohort__voided_at__isnull=True,
            voided_at__isnull=True,
            opens_on__lte=today,
            closes_on__gte=today,
        )
        .select_related("cohort")
        .order_by("closes_on", "pk")
    )
    answered = set(
        EfficacyResponse.objects.filter(wave__in=waves, participant__user=user).values_list(
            "wave_id", flat=True
        )
    )
    return [WaveDue(wave=w, is_answered=w.pk in answered) for w in waves]


# ---- history of corrections ------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryRow:
    change: CorrectionRecord
    values: list[tuple[str, object]]


_HISTORY_MODELS: dict[str, type[Model]] = {
    "cohort": Cohort,
    "trainingsession": TrainingSession,
    "consultationnote": ConsultationNote,
    "followup": FollowUp,
    "efficacywave": EfficacyWave,
}


def _shown(value: object) -> object:
    """A stored value as the page shows it: dates localised, lists joined, statuses named."""
    if isinstance(value, list):
        return ", ".join(str(_shown(v)) for v in value)
    if isinstance(value, str):
        if value in AttendanceStatus.values:
            return AttendanceStatus(value).label
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _label(model: type[Model] | None, name: str) -> str:
    if name == "participants":
        return str(_("participants"))
    if model is None:
        return name
    try:
        label = getattr(model._meta.get_field(name), "verbose_name", None)
    except FieldDoesNotExist:
        return name
    return str(label) if label else name


def history_of(object_type: str, object_id: int) -> list[HistoryRow]:
    """The corrections, voids and undoings of one record, newest first, with the values it
    held before each. The caller has checked that the reader may see the record."""
    model = _HISTORY_MODELS.get(object_type)
    rows = CorrectionRecord.objects.filter(
        object_type=object_type, object_id=object_id
    ).select_related("changed_by")
    return [
        HistoryRow(
            change=row,
            values=[(_label(model, k), _shown(v)) for k, v in row.previous.items()],
        )
        for row in rows
    ]


def accepted_swaps(cohort: Cohort) -> list[SwapRequest]:
    """The cohort's accepted swaps, newest first, with both participants."""
    return list(
        cohort.swaps.filter(status=SwapStatus.ACCEPTED).select_related(
            "requester__user", "partner__user", "cohort"
        )
    )
