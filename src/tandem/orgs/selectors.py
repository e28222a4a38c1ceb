"""Reads of teams and programmes, narrowed to what the user may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.core.access import deny_read
from tandem.orgs.models import Team

SUPERVISING_ROLES = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)


def teams_supervised_by(user: User | AnonymousUser) -> QuerySet[Team]:
    """Teams the user supervises or manages through their programme."""
    ids = scope_for(user).team_ids(*SUPERVISING_ROLES)
    return Team.objects.filter(pk__in=ids).select_related("programme", "programme__agency")


def get_team_for(user: User, pk: int) -> Team:
    """Return a team the user supervises; an audited 404 for any other, existing or not."""
    team = teams_supervised_by(user).filter(pk=pk).first()
    if team is None:
        deny_read(user, "orgs.team", pk)
    return team
