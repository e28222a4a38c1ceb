"""Reads of the measurement workflow, narrowed to what the user may see and audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tandem.accounts.models import User
from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.clients.models import Client
from tandem.clients.selectors import episodes_visible_to
from tandem.core.access import deny_read
from tandem.measures.models import (
    OPEN_STATUSES,
    Administration,
    AdministrationStatus,
    InstrumentWording,
    Invitation,
    InvitationChannel,
    InvitationKind,
    InvitationStatus,
    Response,
    Schedule,
    ScheduleScope,
    SelfReportLink,
)
from tandem.measures.registry import Instrument
from tandem.measures.services import hash_token, record_refused_link_request
from tandem.measures.wording import neutral_labels
from tandem.orgs.models import Agency
from tandem.orgs.selectors import programmes_configurable_by

ATTENTION_STATUSES = (
    AdministrationStatus.DUE,
    AdministrationStatus.OVERDUE,
    AdministrationStatus.MISSED,
)


def administrations_visible_to(user: User) -> QuerySet[Administration]:
    """Administrations in episodes the user may open."""
    return Administration.objects.filter(episode__in=episodes_visible_to(user))


def get_administration_for(user: User, pk: int) -> Administration:
    """One administration the user may see, with client and episode; 404 (audited) otherwise."""
    found = (
        administrations_visible_to(user)
        .select_related("client", "episode__programme", "schedule")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        deny_read(user, "measures.administration", pk)
    record_event(actor=user, action=Action.VIEW, obj=found, agency_id=found.client.agency_id)
    return found


def get_link_for(user: User, pk: int) -> SelfReportLink:
    """One self-report link the user may manage; 404 (audited) otherwise."""
    found = (
        SelfReportLink.objects.filter(pk=pk, administration__episode__in=episodes_visible_to(user))
        .select_related("administration__client", "administration__episode", "response")
        .first()
    )
    if found is None:
        deny_read(user, "measures.selfreportlink", pk)
    record_event(
        actor=user, action=Action.VIEW, obj=found, agency_id=found.administration.client.agency_id
    )
    return found


def client_administrations_for(user: User, client: Client) -> list[Administration]:
    """A client's administrations in the user's visible episodes, soonest due first."""
    rows = list(
        administrations_visible_to(user)
        .filter(client=client)
        .exclude(status=AdministrationStatus.CANCELLED)
        .order_by("due_date", "pk")
    )
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="measures.administration",
        object_id=f"client:{client.pk}",
        agency_id=client.agency_id,
    )
    return rows


def client_responses_for(user: User, client: Client) -> list[Response]:
    """Completed responses of a client (all episodes), oldest first, for the history."""
    if not episodes_visible_to(user).filter(client=client).exists():
        deny_read(user, "measures.response", f"client:{client.pk}")
    rows = list(
        Response.objects.filter(client=client, completed_at__isnull=False).order_by(
            "instrument_code", "completed_at", "pk"
        )
    )
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="measures.response",
        object_id=f"client:{client.pk}",
        agency_id=client.agency_id,
    )
    return rows


def client_invitations_for(user: User, client: Client) -> list[Invitation]:
    """The invitation log of a client: every link and reminder, newest first."""
    rows = list(
        Invitation.objects.filter(
            link__administration__client=client,
            link__administration__episode__in=episodes_visible_to(user),
        )
        .select_related("link__administration", "link__created_by")
        .order_by("-link__created_at", "-link__pk", "send_after", "pk")
    )
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="measures.invitation",
        object_id=f"client:{client.pk}",
        agency_id=client.agency_id,
    )
    return rows


def measure_status_by_episode(episode_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """For caseload rows: due, overdue and missed administrations, and reminder notes, per episode.

    One query whatever the number of episodes; the caller has already narrowed the episodes.
    A reminder note is a reminder whose channel is the caseload itself: the worker passes it on.
    """
    note = Q(
        links__invitations__channel=InvitationChannel.CASELOAD_NOTE,
        links__invitations__status=InvitationStatus.SENT,
        links__used_at__isnull=True,
        links__cancelled_at__isnull=True,
        links__expires_at__gt=timezone.now(),
    )
    rows = (
        Administration.objects.filter(
            episode_id__in=list(episode_ids), status__in=(*OPEN_STATUSES, *ATTENTION_STATUSES)
        )
        .order_by()
        .values("episode_id", "status")
        .annotate(
            n=Count("pk", distinct=True),
            reminders=Count("links__invitations", filter=note, distinct=True),
        )
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        found = counts[row["episode_id"]]
        if row["status"] in ATTENTION_STATUSES:
            found[row["status"]] = row["n"]
        if row["reminders"]:
            found["reminders"] = found.get("reminders", 0) + row["reminders"]
    return {episode_id: found for episode_id, found in counts.items() if found}


def usable_link_for_token(
    token: str, *, address: str, now: datetime | None = None
) -> SelfReportLink | None:
    """The link a token opens, if it still may be used: not used, cancelled or expired.

    Anonymous: the lookup is by hash only. A refused link is audited without identifying
    anything; a token that opens no link at all (a guess) is counted for ``address``, audited
    once per address and window; an accepted one is audited as a view of the link by nobody
    (the client).
    """
    now = now or timezone.now()
    link = (
        SelfReportLink.objects.filter(token_hash=hash_token(token))
        .select_related("administration__client", "response")
        .first()
    )
    if link is None:
        record_refused_link_request(address=address, throttled=False, now=now)
        return None
    usable = (
        link.used_at is None
        and link.cancelled_at is None
        and link.expires_at > now
        and link.administration.is_answerable
    )
    if not usable:
        record_event(
            actor=None,
            action=Action.VIEW,
            object_type="measures.selfreportlink",
            object_id=str(link.pk),
            outcome=Outcome.DENIED,
        )
        return None
    record_event(
        actor=None, action=Action.VIEW, obj=link, agency_id=link.administration.client.agency_id
    )
    return link


# ---- licensed wording ---------------------------------------------------------------------------
def latest_wording(
    instrument: Instrument, language: str, agency: Agency | int | None
) -> InstrumentWording | None:
    """The newest wording row of this agency for the instrument's current version, if any."""
    if agency is None:
        return None
    agency_id = agency if isinstance(agency, int) else agency.pk
    return (
        InstrumentWording.objects.filter(
            agency_id=agency_id,
            instrument_code=instrument.code,
            instrument_version=instrument.version,
            language=language,
        )
        .order_by("-revision")
        .first()
    )


def wording_for(
    instrument: Instrument, language: str, agency: Agency | int | None
) -> dict[str, str]:
    """Item id -> text in this language: the agency's licensed wording, else the neutral label."""
    texts = neutral_labels(instrument)
    row = latest_wording(instrument, language, agency)
    if row is not None:
        stored: dict[str, Any] = row.texts
        texts.update({key: value for key, value in stored.items() if key in texts})
    return texts


def schedules_of(programme_id: int) -> QuerySet[Schedule]:
    """A programme's routine schedules, active first, by instrument (configuration, no PHI)."""
    return Schedule.objects.filter(
        programme_id=programme_id, scope=ScheduleScope.PROGRAMME
    ).order_by("-is_active", "instrument_code", "pk")


def get_schedule_for_configuration(user: User, pk: int) -> Schedule:
    """A programme schedule the user may configure; an audited 404 for any other."""
    schedule = (
        Schedule.objects.filter(
            pk=pk,
            scope=ScheduleScope.PROGRAMME,
            programme__in=programmes_configurable_by(user).values("pk"),
        )
        .select_related("programme")
        .first()
    )
    if schedule is None:
        deny_read(user, "measures.schedule", pk)
    return schedule


def link_language_for_token(token: str) -> str | None:
    """The preferred language of the client a token was made for, used or not; else ``None``.

    Only for the refusal page, so that a client whose link is used up or expired reads why in
    their own language. Reveals nothing else, and nothing at all for a guess.
    """
    language = (
        SelfReportLink.objects.filter(token_hash=hash_token(token))
        .values_list("administration__client__preferred_language", flat=True)
        .first()
    )
    return str(language) if language else None


def completed_response_of(administration: Administration) -> Response | None:
    """The response that completed an administration the caller has already been allowed to see."""
    return (
        Response.objects.filter(administration=administration, completed_at__isnull=False)
        .select_related("entered_by")
        .order_by("-completed_at", "-pk")
        .first()
    )


def get_response_for(user: User, pk: int) -> Response:
    """One completed response in an episode the user may open; 404 (audited) otherwise."""
    found = (
        Response.objects.filter(
            pk=pk, completed_at__isnull=False, episode__in=episodes_visible_to(user)
        )
        .select_related("client", "episode", "administration")
        .first()
    )
    if found is None:
        deny_read(user, "measures.response", pk)
    record_event(actor=user, action=Action.VIEW, obj=found, agency_id=found.client.agency_id)
    return found


# ---- measures needing attention -----------------------------------------------------------------
OLD_MISSED_AFTER_DAYS = 60


@dataclass(frozen=True, slots=True)
class AttentionList:
    """Measures needing attention, most urgent first, and the long-missed ones kept aside.

    ``current``: overdue (most days overdue first), then due (soonest due first), then missed
    within the last ``OLD_MISSED_AFTER_DAYS`` days (most recently closed window first).
    ``old_missed``: waves whose window closed longer ago, newest first; a page folds them away.
    """

    current: list[Administration]
    old_missed: list[Administration]

    def __len__(self) -> int:
        return len(self.current) + len(self.old_missed)

    def __bool__(self) -> bool:
        return bool(self.current or self.old_missed)


def by_urgency(
    administrations: Iterable[Administration],
    *,
    today: date | None = None,
    old_after_days: int = OLD_MISSED_AFTER_DAYS,
) -> AttentionList:
    """Sort due, overdue and missed administrations by how urgently they need a worker."""
    today = today or timezone.localdate()
    overdue: list[Administration] = []
    due: list[Administration] = []
    missed: list[Administration] = []
    old: list[Administration] = []
    for row in administrations:
        if row.status == AdministrationStatus.OVERDUE:
            overdue.append(row)
        elif row.status == AdministrationStatus.DUE:
            due.append(row)
        elif row.status == AdministrationStatus.MISSED:
            recent = (today - row.window_closes).days <= old_after_days
            (missed if recent else old).append(row)
    overdue.sort(key=lambda a: (a.due_date, a.pk))
    due.sort(key=lambda a: (a.due_date, a.pk))
    missed.sort(key=lambda a: (a.window_closes, a.pk), reverse=True)
    old.sort(key=lambda a: (a.window_closes, a.pk), reverse=True)
    return AttentionList(current=overdue + due + missed, old_missed=old)


# ---- the invitation log of one administration ----------------------------------------------------
@dataclass(frozen=True, slots=True)
class InvitationEvent:
    """One step in the life of an administration's links, derived from what is stored.

    ``kind``: ``sent`` (a link handed over), ``reminded`` (a reminder sent), ``opened`` (the
    client saved a first answer on the link), ``completed`` (the link was answered),
    ``cancelled`` (withdrawn, or replaced by a new link) or ``expired`` (unused past its date).
    A pending reminder is no event yet.
    """

    kind: str
    at: datetime
    link_id: int
    channel: str = ""


def administration_invitation_log(
    user: User, administration: Administration, *, now: datetime | None = None
) -> list[InvitationEvent]:
    """Every sent link, reminder, opening, completion, cancellation and expiry, oldest first.

    For an administration the caller was already allowed to see (``get_administration_for``).
    """
    now = now or timezone.now()
    links = list(
        SelfReportLink.objects.filter(
            administration=administration,
            administration__episode__in=episodes_visible_to(user),
        )
        .select_related("response")
        .prefetch_related("invitations")
    )
    events: list[InvitationEvent] = []
    for link in links:
        for invitation in link.invitations.all():
            if invitation.status != InvitationStatus.SENT or invitation.sent_at is None:
                continue
            kind = "reminded" if invitation.kind == InvitationKind.REMINDER else "sent"
            events.append(InvitationEvent(kind, invitation.sent_at, link.pk, invitation.channel))
        if link.response is not None:
            events.append(InvitationEvent("opened", link.response.created_at, link.pk))
        if link.used_at is not None:
            events.append(InvitationEvent("completed", link.used_at, link.pk))
        elif link.cancelled_at is not None:
            events.append(InvitationEvent("cancelled", link.cancelled_at, link.pk))
        elif link.expires_at <= now:
            events.append(InvitationEvent("expired", link.expires_at, link.pk))
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="measures.invitation",
        object_id=f"administration:{administration.pk}",
        agency_id=administration.client.agency_id,
    )
    return sorted(events, key=lambda event: (event.at, event.link_id))


def open_episodes_for_scheduling(user: User, client: Client) -> list[Any]:
    """The client's open episodes the user may see, with their programme, oldest first."""
    from tandem.clients.models import EpisodeStatus

    return list(
        episodes_visible_to(user)
        .filter(client=client, status=EpisodeStatus.OPEN)
        .select_related("programme", "client")
        .order_by("start_date", "pk")
    )


def instruments_measured_in(programme_ids: Iterable[int]) -> list[Instrument]:
    """Instruments the programmes measure with (those their active schedules name), by code."""
    from tandem.measures.registry import UnknownInstrumentError, get_instrument

    codes = set(
        Schedule.objects.filter(programme_id__in=list(programme_ids), is_active=True).values_list(
            "instrument_code", flat=True
        )
    )
    found = []
    for code in sorted(codes):
        try:
            found.append(get_instrument(code))
        except UnknownInstrumentError:
            continue
    return found
