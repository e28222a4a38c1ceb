"""Reads of clients and episodes, narrowed to what the user may see.

Every read of an identified record is audited here, at the one place all views go through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet

from tandem.accounts.access import episode_visibility, scope_for
from tandem.accounts.models import Membership, Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Client, Episode, EpisodeStatus, Referral, ReferralStatus
from tandem.core import listing
from tandem.core.access import deny_read
from tandem.orgs.models import Programme, Team


def episodes_visible_to(user: User | AnonymousUser) -> QuerySet[Episode]:
    """Episodes whose client the user may open (see ``accounts.access.episode_visibility``)."""
    return Episode.objects.filter(episode_visibility(user))


def clients_visible_to(user: User | AnonymousUser) -> QuerySet[Client]:
    """Clients the user may open: those with at least one visible episode."""
    visible = episodes_visible_to(user).filter(client_id=OuterRef("pk"))
    return Client.objects.filter(Exists(visible))


def get_client_for(user: User, pk: int) -> Client:
    """Return the client if the user may see it; otherwise audit the attempt and raise 404.

    A hidden client and a missing one answer the same, so ids reveal nothing.
    """
    client = clients_visible_to(user).filter(pk=pk).first()
    if client is None:
        deny_read(user, "clients.client", pk)
    record_event(actor=user, action=Action.VIEW, obj=client, agency_id=client.agency_id)
    return client


def client_episodes_for(user: User, client: Client) -> QuerySet[Episode]:
    """All of a client's episodes, for a user already allowed to see the client.

    Episodes in other teams are part of the same person's record and shown too (a supervisor
    needs the history), but only to someone who may see the client at all.
    """
    if not clients_visible_to(user).filter(pk=client.pk).exists():
        deny_read(user, "clients.episode", f"client:{client.pk}")
    return client.episodes.select_related("programme", "team", "primary_case_manager").order_by(
        "-start_date", "-pk"
    )


def caseload_for(user: User) -> QuerySet[Episode]:
    """Open episodes where the user is primary case manager, with their clients (one query)."""
    record_event(
        actor=user, action=Action.LIST, object_type="clients.episode", object_id="caseload"
    )
    return (
        episodes_visible_to(user)
        .filter(primary_case_manager=user, status=EpisodeStatus.OPEN)
        .select_related("client", "programme", "team")
        .order_by("client__family_name", "client__given_name", "pk")
    )


def team_caseload_for(user: User, team_id: int) -> QuerySet[Episode]:
    """Open episodes of one team the user supervises, with clients and case managers."""
    record_event(actor=user, action=Action.LIST, object_type="orgs.team", object_id=str(team_id))
    return (
        episodes_visible_to(user)
        .filter(team_id=team_id, status=EpisodeStatus.OPEN)
        .select_related("client", "primary_case_manager", "programme")
        .order_by("primary_case_manager__full_name", "client__family_name", "pk")
    )


def get_episode_for(user: User, pk: int) -> Episode:
    """One visible episode (audited), or 404 for hidden and missing alike."""
    episode = (
        episodes_visible_to(user)
        .select_related("client", "programme", "team", "primary_case_manager")
        .filter(pk=pk)
        .first()
    )
    if episode is None:
        deny_read(user, "clients.episode", pk)
    record_event(actor=user, action=Action.VIEW, obj=episode, agency_id=episode.client.agency_id)
    return episode


# ---- referrals and the waitlist -----------------------------------------------------------------
def intake_programme_ids(user: User | AnonymousUser) -> QuerySet[Team, int]:
    """Programmes where the user holds a supervisor or manager role on a team (a subquery)."""
    teams = scope_for(user).team_ids(Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
    return Team.objects.filter(pk__in=teams).values_list("programme_id", flat=True)


def intake_programmes_for(user: User) -> QuerySet[Programme]:
    return Programme.objects.filter(pk__in=intake_programme_ids(user)).order_by("name")


def referrals_visible_to(user: User | AnonymousUser) -> QuerySet[Referral]:
    """Referrals to the programmes where the user does intake work, narrowed like clients.

    Until it is assigned, every intake role of the programme sees a referral. Once a client
    record or an episode comes from it, it holds the same identifying facts as that record, so
    only someone who may open the client still sees it.
    """
    unassigned = Q(client__isnull=True, episode__isnull=True)
    client_visible = Exists(episodes_visible_to(user).filter(client_id=OuterRef("client_id")))
    return Referral.objects.filter(programme_id__in=intake_programme_ids(user)).filter(
        unassigned | client_visible
    )


def get_referral_for(user: User, pk: int) -> Referral:
    """One visible referral (audited), or 404 for hidden and missing alike."""
    referral = (
        referrals_visible_to(user).select_related("programme", "agency").filter(pk=pk).first()
    )
    if referral is None:
        deny_read(user, "clients.referral", pk)
    record_event(actor=user, action=Action.VIEW, obj=referral, agency_id=referral.agency_id)
    return referral


def open_referrals_for(user: User) -> QuerySet[Referral]:
    """Referrals still to screen and decide, oldest first."""
    record_event(
        actor=user, action=Action.LIST, object_type="clients.referral", object_id="received"
    )
    return (
        referrals_visible_to(user)
        .filter(status=ReferralStatus.RECEIVED)
        .select_related("programme")
        .order_by("received_on", "pk")
    )


def waitlist_for(user: User) -> QuerySet[Referral]:
    """People waiting for a case manager, by priority then date received."""
    record_event(
        actor=user, action=Action.LIST, object_type="clients.referral", object_id="waitlist"
    )
    return (
        referrals_visible_to(user)
        .filter(status=ReferralStatus.WAITLISTED)
        .select_related("programme")
        .order_by("priority", "received_on", "pk")
    )


def referrals_matching(
    user: User,
    *,
    status: str | None = None,
    programme_id: int | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    search: str = "",
) -> QuerySet[Referral]:
    """Visible referrals of any status (decided ones stay findable), filtered and searched.

    The search matches words in the person's names and in the referrer's name and contact.
    """
    record_event(actor=user, action=Action.LIST, object_type="clients.referral", object_id="search")
    referrals = referrals_visible_to(user).select_related("programme")
    if status:
        referrals = referrals.filter(status=status)
    if programme_id is not None:
        referrals = referrals.filter(programme_id=programme_id)
    if received_from is not None:
        referrals = referrals.filter(received_on__gte=received_from)
    if received_to is not None:
        referrals = referrals.filter(received_on__lte=received_to)
    return listing.search(
        referrals, search, ["given_name", "family_name", "source_contact", "redirected_to"]
    )


def waitlist_summary_for_teams(team_ids: frozenset[int]) -> list[dict[str, Any]]:
    """Per programme of these teams: how many wait and since when (counts only, no names)."""
    programmes = Team.objects.filter(pk__in=team_ids).values_list("programme_id", flat=True)
    return [
        dict(row)
        for row in Referral.objects.filter(
            programme_id__in=programmes, status=ReferralStatus.WAITLISTED
        )
        .order_by()
        .values("programme_id", "programme__name")
        .annotate(waiting=Count("pk"), oldest=Min("received_on"))
        .order_by("programme__name")
    ]


def decline_counts_for(user: User) -> list[dict[str, Any]]:
    """Declined referrals per programme and reason code, for the programme report."""
    return [
        dict(row)
        for row in referrals_visible_to(user)
        .filter(status=ReferralStatus.DECLINED)
        .order_by()
        .values("programme__name", "decline_reason")
        .annotate(n=Count("pk"))
        .order_by("programme__name", "-n")
    ]


def case_managers_for_assignment(user: User, programme: Programme) -> list[tuple[Team, User]]:
    """(team, case manager) pairs the user may assign in this programme."""
    teams = scope_for(user).team_ids(Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
    memberships = (
        Membership.objects.filter(
            role=Role.CASE_MANAGER,
            team__programme=programme,
            team_id__in=teams,
            user__is_active=True,
        )
        .select_related("team", "user")
        .order_by("team__name", "user__full_name")
    )
    return [(m.team, m.user) for m in memberships if m.team is not None]


def open_episode_counts_by_worker(episodes: QuerySet[Episode]) -> dict[int, int]:
    """Caseload size per primary case manager for the given episodes."""
    rows = (
        episodes.filter(status=EpisodeStatus.OPEN)
        .order_by()
        .values("primary_case_manager_id")
        .annotate(n=Count("pk"))
    )
    return {row["primary_case_manager_id"]: row["n"] for row in rows}


__all__ = [
    "case_managers_for_assignment",
    "caseload_for",
    "client_episodes_for",
    "clients_visible_to",
    "decline_counts_for",
    "episodes_visible_to",
    "get_client_for",
    "get_episode_for",
    "get_referral_for",
    "intake_programmes_for",
    "open_episode_counts_by_worker",
    "open_referrals_for",
    "referrals_matching",
    "referrals_visible_to",
    "team_caseload_for",
    "waitlist_for",
    "waitlist_summary_for_teams",
]


# ---- identifying details in free text (de-identification checks of other apps) --------------
@dataclass(frozen=True, slots=True)
class IdentifierFound:
    """An identifying detail of some client found in a text: its kind and the words as written.

    Only the caller's own words come back, never which client they identify, so that a check
    reveals no record to someone who may not open it.
    """

    kind: str  # "name", "email" or "phone"
    text: str


_WORD = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*")
_PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
MIN_PHONE_DIGITS = 7
MIN_NAME_LETTERS = 2


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _same_phone(written: str, stored: str) -> bool:
    """Equal, or one the other with a country or area prefix (``+1 514…`` against ``514…``)."""
    if len(written) < MIN_PHONE_DIGITS or len(stored) < MIN_PHONE_DIGITS:
        return False
    return written.endswith(stored) or stored.endswith(written)


def client_identifiers_in(text: str, *, agency_ids: Iterable[int]) -> list[IdentifierFound]:
    """The names, e-mail addresses and phone numbers of clients of ``agency_ids`` in ``text``.

    Names match whole words, whatever the case (a name part of one letter is ignored); e-mail
    addresses match anywhere; phone numbers match on their digits, separators aside.
    """
    rows = Client.objects.filter(agency_id__in=list(agency_ids)).values_list(
        "given_name", "family_name", "preferred_name", "email", "phone"
    )
    words = {match.group(0).casefold(): match.group(0) for match in _WORD.finditer(text)}
    folded = text.casefold()
    phones = [(match.group(0), _digits(match.group(0))) for match in _PHONE.finditer(text)]
    found: dict[tuple[str, str], IdentifierFound] = {}
    for given, family, preferred, email, phone in rows.iterator():
        for name in (given, family, preferred):
            for part in _WORD.findall(name or ""):
                key = part.casefold()
                if len(key) >= MIN_NAME_LETTERS and key in words:
                    found.setdefault(("name", key), IdentifierFound("name", words[key]))
        if email and email.casefold() in folded:
            found.setdefault(("email", email.casefold()), IdentifierFound("email", email))
        stored = _digits(phone or "")
        for written, digits in phones:
            if _same_phone(digits, stored):
                found.setdefault(("phone", digits), IdentifierFound("phone", written.strip()))
    return sorted(found.values(), key=lambda f: (f.kind, f.text.casefold()))
