"""Writes to clients and episodes: permission check, validation and audit in one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Client, DischargeReason, Episode, EpisodeStatus
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
    """Open an episode of care and make ``case_manager`` its primary case manager."""
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
    return episode


def close_episode(
    *, actor: User, episode: Episode, end_date: date, reason: DischargeReason | str
) -> Episode:
    """Discharge: close the episode on ``end_date`` for ``reason``."""
    if actor.pk != episode.primary_case_manager_id:
        _require_team_role(actor, episode.team, INTAKE_ROLES)
    episode.status = EpisodeStatus.CLOSED
    episode.end_date = end_date
    episode.discharge_reason = str(reason)
    episode.full_clean()
    with transaction.atomic():
        episode.save(update_fields=["status", "end_date", "discharge_reason", "updated_at"])
        record_event(
            actor=actor, action=Action.UPDATE, obj=episode, agency_id=episode.client.agency_id
        )
    return episode
