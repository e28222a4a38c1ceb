"""Clients, episodes, referrals and the waitlist."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tandem.accounts.models import Role
from tandem.api.auth import acting_user
from tandem.api.conventions import (
    check_query,
    ordering_of,
    paginate,
)
from tandem.api.schemas import (
    ClientOut,
    ClientPage,
    EpisodeOut,
    ReferralPage,
)
from tandem.api.v1.common import PROBLEMS, Id, one_of
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients import selectors as client_selectors
from tandem.clients.models import Episode, ReferralStatus

router = Router()


# ---- clients and episodes ------------------------------------------------------------------------
CLIENT_ORDERINGS = ("id", "family_name", "date_of_birth")


@router.get(
    "/clients", response={200: ClientPage, **PROBLEMS}, url_name="client_list", tags=["clients"]
)
def client_list(
    request: HttpRequest,
    team: int | None = None,
    ordering: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Any:
    """Clients the token's person may open, as on their pages. No search by name."""
    user = acting_user(request, "read:clients")
    check_query(request, {"team"})
    clients = client_selectors.clients_visible_to(user)
    if team is not None:
        visible = client_selectors.episodes_visible_to(user).filter(team_id=team)
        clients = clients.filter(pk__in=visible.values("client_id"))
    page = paginate(
        clients,
        ordering=ordering_of(ordering, CLIENT_ORDERINGS, "id"),
        cursor=cursor,
        limit=limit,
    )
    record_event(actor=user, action=Action.LIST, object_type="clients.client", object_id="api")
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/clients/{int:pk}",
    response={200: ClientOut, **PROBLEMS},
    url_name="client_detail",
    tags=["clients"],
)
def client_detail(request: HttpRequest, pk: Id) -> Any:
    """One client (audited as a view of the chart)."""
    user = acting_user(request, "read:clients")
    return client_selectors.get_client_for(user, pk)


@router.get(
    "/clients/{int:pk}/episodes",
    response={200: list[EpisodeOut], **PROBLEMS},
    url_name="client_episodes",
    tags=["clients"],
)
def client_episodes(request: HttpRequest, pk: Id) -> Any:
    """A client's episodes of care, newest first."""
    user = acting_user(request, "read:clients")
    client = client_selectors.get_client_for(user, pk)
    episodes: list[Episode] = list(client_selectors.client_episodes_for(user, client))
    return episodes


# ---- referrals and the waitlist ------------------------------------------------------------------
REFERRAL_FILTERS = {"status", "programme"}
REFERRAL_ORDERINGS = ("received_on", "priority", "id")
# As the intake pages: the supervisors and programme managers of the referral's programme.
INTAKE_ROLES = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)


@router.get(
    "/referrals",
    response={200: ReferralPage, **PROBLEMS},
    url_name="referral_list",
    tags=["clients"],
)
def referral_list(
    request: HttpRequest,
    status: str | None = None,
    programme: int | None = None,
    ordering: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Any:
    """Referrals of the programmes where the person does intake; ``status=waitlisted`` for the
    waitlist (by ``ordering=priority``)."""
    user = acting_user(request, "read:clients", roles=INTAKE_ROLES)
    check_query(request, REFERRAL_FILTERS)
    referrals = client_selectors.referrals_visible_to(user)
    wanted = one_of("status", status, ReferralStatus.values)
    if wanted:
        referrals = referrals.filter(status=wanted)
    if programme is not None:
        referrals = referrals.filter(programme_id=programme)
    page = paginate(
        referrals,
        ordering=ordering_of(ordering, REFERRAL_ORDERINGS, "received_on"),
        cursor=cursor,
        limit=limit,
    )
    record_event(actor=user, action=Action.LIST, object_type="clients.referral", object_id="api")
    return {"items": page.items, "next_cursor": page.next_cursor}
