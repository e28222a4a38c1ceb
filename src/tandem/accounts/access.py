"""Who may see what: the roles a user holds and the teams each role reaches.

Deny by default: a user with no membership reaches nothing. Views and selectors ask here;
nothing else decides access.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from tandem.accounts.models import Membership, Role, User
from tandem.orgs.models import Team

# Roles that may open identified client records, and which teams they reach.
CLINICAL_ROLES = frozenset({Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER})


@dataclass(frozen=True)
class Scope:
    """The memberships of one user, resolved once per request."""

    roles: frozenset[str] = frozenset()
    team_ids_by_role: dict[str, frozenset[int]] = field(default_factory=dict)
    agency_ids: frozenset[int] = frozenset()

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    def team_ids(self, *roles: str) -> frozenset[int]:
        found: set[int] = set()
        for role in roles:
            found |= self.team_ids_by_role.get(role, frozenset())
        return frozenset(found)


def scope_for(user: User | AnonymousUser) -> Scope:
    """Resolve the user's memberships to role → reachable team ids (cached on the user)."""
    if not user.is_authenticated or not user.is_active:
        return Scope()
    cached: Scope | None = getattr(user, "_tandem_scope", None)
    if cached is not None:
        return cached
    # programme_id and team_id are nullable columns (the stubs type them as plain ints).
    memberships: list[tuple[str, int, int | None, int | None]] = list(
        Membership.objects.filter(user=user).values_list(
            "role", "agency_id", "programme_id", "team_id"
        )
    )
    teams = {
        pk: (programme_id, agency_id)
        for pk, programme_id, agency_id in Team.objects.filter(
            programme__agency_id__in={m[1] for m in memberships}
        ).values_list("pk", "programme_id", "programme__agency_id")
    }
    by_role: dict[str, set[int]] = {}
    for role, agency_id, programme_id, team_id in memberships:
        reach = by_role.setdefault(role, set())
        # A team is reached only if it lies inside the membership's agency (and programme):
        # an inconsistent row never widens access across agencies.
        for pk, (team_programme, team_agency) in teams.items():
            if team_agency != agency_id:
                continue
            if programme_id is not None and team_programme != programme_id:
                continue
            if team_id is not None and pk != team_id:
                continue
            reach.add(pk)
    scope = Scope(
        roles=frozenset(by_role),
        team_ids_by_role={role: frozenset(ids) for role, ids in by_role.items()},
        agency_ids=frozenset(m[1] for m in memberships),
    )
    # Cached on the instance, which lives for one request.
    user._tandem_scope = scope  # type: ignore[attr-defined]  # ad-hoc per-request cache
    return scope


def agency_ids_administered_by(user: User | AnonymousUser) -> frozenset[int]:
    """Agencies where the user is an agency administrator."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(
        Membership.objects.filter(user=user, role=Role.AGENCY_ADMIN).values_list(
            "agency_id", flat=True
        )
    )


def administers_agency(actor: User | None, agency_id: int | None) -> bool:
    """Whether the actor may change who holds which role in this agency.

    ``None`` is set-up from the command line (the demo loader, a deployment script), which
    already holds the database; superusers administer every agency.
    """
    if actor is None:
        return True
    if not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return agency_id is not None and agency_id in agency_ids_administered_by(actor)


def administers_account(actor: User, user: User) -> bool:
    """Whether the actor may manage this person's sign-in: password, lockout and roles.

    An agency administrator manages the people of the agencies they administer, never a
    superuser (whose password would open everything).
    """
    if not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return not user.is_superuser and administers_agency(actor, user.agency_id)


def episode_visibility(user: User | AnonymousUser) -> Q:
    """Q over Episode: the episodes whose client this user may open.

    A case manager reaches the episodes they are primary case manager of, within the teams
    of their case-manager membership; a supervisor the episodes of their teams; a programme
    manager those of every team in their programmes. No other role reaches identified data.
    """
    scope = scope_for(user)
    condition = Q(pk__in=[])
    if scope.has_role(Role.CASE_MANAGER):
        condition |= Q(
            primary_case_manager_id=user.pk, team_id__in=scope.team_ids(Role.CASE_MANAGER)
        )
    supervised = scope.team_ids(Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
    if supervised:
        condition |= Q(team_id__in=supervised)
    return condition
