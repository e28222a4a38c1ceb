"""Writes to clients and episodes: permission check, validation and audit in one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients import eligibility
from tandem.clients.models import (
    Client,
    DischargeReason,
    Episode,
    EpisodeStatus,
    Referral,
    ReferralDecision,
    ReferralStatus,
)
from tandem.clients.signals import episode_closed, episode_opened
from tandem.orgs.models import Agency, Programme, Team

INTAKE_ROLES = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)


def _require_team_role(actor: User, team: Team, roles: tuple[str, ...]) -> None:
    if team.pk not in scope_for(actor).team_ids(*roles):
        raise PermissionDenied


def register_client(*, actor: User, agency: Agency, **fields: Any) -> Client:
    """Create a client record in the actor's agency (supervisors and programme managers)."""
    if agency.pk not in scope_for(actor).agency_ids or not scope_for(actor).has_role(*INTAKE_ROLES):
        raise PermissionDenied
    client = Client(agency=agency, **fields)
    client.full_clean()
    with transaction.atomic():
        client.save()
        record_event(actor=actor, action=Action.CREATE, obj=client, agency_id=agency.pk)
    return client


def open_episode(
    *,
    actor: User,
    client: Client,
    programme: Programme,
    team: Team,
    case_manager: User,
    start_date: date,
) -> Episode:
    """Open an episode of care and make ``case_manager`` its primary case manager.

    ``episode_opened`` is sent in the same transaction: the programme's schedules make the
    intake measures due (``measures`` decides which).
    """
    _require_team_role(actor, team, INTAKE_ROLES)
    if team.pk not in scope_for(case_manager).team_ids(Role.CASE_MANAGER):
        raise PermissionDenied("the case manager is not on this team")
    episode = Episode(
        client=client,
        programme=programme,
        team=team,
        primary_case_manager=case_manager,
        start_date=start_date,
        status=EpisodeStatus.OPEN,
    )
    episode.full_clean()
    with transaction.atomic():
        episode.save()
        record_event(actor=actor, action=Action.CREATE, obj=episode, agency_id=client.agency_id)
        episode_opened.send(sender=Episode, actor=actor, episode=episode)
    return episode


def close_episode(
    *,
    actor: User,
    episode: Episode,
    end_date: date,
    reason: DischargeReason | str,
    destination: str = "",
    transition_plan: str | None = None,
) -> Episode:
    """Discharge: close the episode on ``end_date`` for ``reason``, noting where the client goes.

    ``episode_closed`` is sent in the same transaction: the programme's discharge measures are
    then due (``measures`` decides which).
    """
    if actor.pk != episode.primary_case_manager_id:
        _require_team_role(actor, episode.team, INTAKE_ROLES)
    if not episode.is_open:
        raise ValidationError({"status": _("This episode is already closed.")})
    episode.status = EpisodeStatus.CLOSED
    episode.end_date = end_date
    episode.discharge_reason = str(reason)
    episode.discharge_destination = destination
    if transition_plan is not None:
        episode.transition_plan = transition_plan
    episode.full_clean()
    with transaction.atomic():
        episode.save(
            update_fields=[
                "status",
                "end_date",
                "discharge_reason",
                "discharge_destination",
                "transition_plan",
                "updated_at",
            ]
        )
        record_event(
            actor=actor, action=Action.UPDATE, obj=episode, agency_id=episode.client.agency_id
        )
        episode_closed.send(sender=Episode, actor=actor, episode=episode)
    return episode


def save_transition_plan(*, actor: User, episode: Episode, transition_plan: str) -> Episode:
    """Record how a time-limited (or any) episode will hand over before discharge."""
    if actor.pk != episode.primary_case_manager_id:
        _require_team_role(actor, episode.team, INTAKE_ROLES)
    episode.transition_plan = transition_plan
    episode.full_clean()
    with transaction.atomic():
        episode.save(update_fields=["transition_plan", "updated_at"])
        record_event(
            actor=actor, action=Action.UPDATE, obj=episode, agency_id=episode.client.agency_id
        )
    return episode


# ---- referrals ----------------------------------------------------------------------------------
def _require_programme_role(actor: User, programme: Programme) -> None:
    """Intake work on a programme needs a supervisor or manager role on one of its teams."""
    reachable = scope_for(actor).team_ids(*INTAKE_ROLES)
    if not Team.objects.filter(programme=programme, pk__in=reachable).exists():
        raise PermissionDenied


def receive_referral(
    *, actor: User, programme: Programme, received_on: date, **fields: Any
) -> Referral:
    """Enter a referral; the programme's required fields must be filled in."""
    _require_programme_role(actor, programme)
    referral = Referral(
        agency_id=programme.agency_id,
        programme=programme,
        received_on=received_on,
        created_by=actor,
        status=ReferralStatus.RECEIVED,
        **fields,
    )
    missing = {
        name: _("This programme requires this field.")
        for name in eligibility.required_fields_for(programme)
        if not getattr(referral, name)
    }
    if missing:
        raise ValidationError(missing)
    referral.full_clean()
    with transaction.atomic():
        referral.save()
        record_event(actor=actor, action=Action.CREATE, obj=referral, agency_id=referral.agency_id)
    return referral


def screen_referral(
    *, actor: User, referral: Referral, answers: dict[str, bool], screened_on: date
) -> Referral:
    """Record the eligibility screen; answers against the programme's criteria flag mismatches."""
    _require_programme_role(actor, referral.programme)
    codes = {c.code for c in eligibility.criteria_for(referral.programme)}
    referral.screening = {code: bool(answers.get(code)) for code in codes}
    referral.mismatch_codes = eligibility.mismatches(referral.programme, referral.screening)
    referral.screened_on = screened_on
    referral.full_clean()
    with transaction.atomic():
        referral.save(update_fields=["screening", "mismatch_codes", "screened_on", "updated_at"])
        record_event(actor=actor, action=Action.UPDATE, obj=referral, agency_id=referral.agency_id)
    return referral


def decide_referral(
    *,
    actor: User,
    referral: Referral,
    decision: ReferralDecision | str,
    decided_on: date,
    priority: int | None = None,
    decline_reason: str = "",
    redirected_to: str = "",
    note: str = "",
) -> Referral:
    """Accept to the waitlist, decline with a reason code, or redirect elsewhere."""
    _require_programme_role(actor, referral.programme)
    if referral.status not in (ReferralStatus.RECEIVED, ReferralStatus.WAITLISTED):
        raise ValidationError({"status": _("This referral has already been decided.")})
    status = {
        ReferralDecision.WAITLIST: ReferralStatus.WAITLISTED,
        ReferralDecision.DECLINE: ReferralStatus.DECLINED,
        ReferralDecision.REDIRECT: ReferralStatus.REDIRECTED,
    }[ReferralDecision(decision)]
    referral.status = status
    referral.decided_on = decided_on
    referral.decided_by = actor
    referral.decline_reason = decline_reason if status == ReferralStatus.DECLINED else ""
    referral.redirected_to = redirected_to if status == ReferralStatus.REDIRECTED else ""
    referral.decision_note = note
    if priority is not None:
        referral.priority = priority
    referral.full_clean()
    with transaction.atomic():
        referral.save()
        record_event(actor=actor, action=Action.UPDATE, obj=referral, agency_id=referral.agency_id)
    return referral


def assign_referral(
    *, actor: User, referral: Referral, team: Team, case_manager: User, start_date: date
) -> Episode:
    """Take a person off the waitlist: register them (once) and open their episode."""
    if referral.status != ReferralStatus.WAITLISTED:
        raise ValidationError({"status": _("Only people on the waitlist can be assigned.")})
    if team.programme_id != referral.programme_id:
        raise ValidationError({"team": _("This team belongs to another programme.")})
    with transaction.atomic():
        client = referral.client or register_client(
            actor=actor,
            agency=referral.agency,
            given_name=referral.given_name,
            family_name=referral.family_name,
            date_of_birth=referral.date_of_birth,
            gender=referral.gender,
            preferred_language=referral.preferred_language,
            phone=referral.phone,
            email=referral.email,
        )
        episode = open_episode(
            actor=actor,
            client=client,
            programme=referral.programme,
            team=team,
            case_manager=case_manager,
            start_date=start_date,
        )
        referral.client = client
        referral.episode = episode
        referral.status = ReferralStatus.ASSIGNED
        referral.save(update_fields=["client", "episode", "status", "updated_at"])
        record_event(actor=actor, action=Action.UPDATE, obj=referral, agency_id=referral.agency_id)
    return episode
