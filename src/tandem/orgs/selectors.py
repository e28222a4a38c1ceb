"""Reads of teams and programmes, narrowed to what the user may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.orgs.models import Team

SUPERVISING_ROLES = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)


def teams_supervised_by(user: User | AnonymousUser) -> QuerySet[Team]:
    """Teams the user supervises or manages through their programme."""
    ids = scope_for(user).team_ids(*SUPERVISING_ROLES)
    return Team.objects.filter(pk__in=ids).select_related("programme", "programme__agency")


def get_team_for(user: User, pk: int) -> Team:
    """Return a team the user supervises; 404 for any other, whether or not it exists."""
    team = teams_supervised_by(user).filter(pk=pk).first()
    if team is None:
        raise Http404
    return team
