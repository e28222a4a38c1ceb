"""Reads of clients and episodes, narrowed to what the user may see.

Every read of an identified record is audited here, at the one place all views go through.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404

from tandem.accounts.access import episode_visibility
from tandem.accounts.models import User
from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.clients.models import Client, Episode, EpisodeStatus


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
        record_event(
            actor=user,
            action=Action.VIEW,
            object_type="clients.client",
            object_id=str(pk),
            outcome=Outcome.DENIED,
        )
        raise Http404
    record_event(actor=user, action=Action.VIEW, obj=client, agency_id=client.agency_id)
    return client


def client_episodes_for(user: User, client: Client) -> QuerySet[Episode]:
    """All of a client's episodes, for a user already allowed to see the client.

    Episodes in other teams are part of the same person's record and shown too (a supervisor
    needs the history), but only to someone who may see the client at all.
    """
    if not clients_visible_to(user).filter(pk=client.pk).exists():
        raise Http404
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
    "caseload_for",
    "client_episodes_for",
    "clients_visible_to",
    "episodes_visible_to",
    "get_client_for",
    "open_episode_counts_by_worker",
    "team_caseload_for",
]
