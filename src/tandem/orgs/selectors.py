"""Reads of teams and programmes, narrowed to what the user may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from tandem.accounts.access import agency_ids_administered_by, scope_for
from tandem.accounts.models import Membership, Role, User
from tandem.core.access import deny_read
from tandem.orgs.models import ConfigurationChange, Programme, Team

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


def programmes_managed_by(user: User | AnonymousUser) -> QuerySet[Programme]:
    """Programmes the user is programme manager of, by name, in one query.

    Read from the programme-manager memberships, so that a programme without teams yet is
    managed too: a membership on a programme (or one of its teams) gives that programme, an
    agency-wide one every programme of the agency. A membership never reaches past its
    agency, even when its row is inconsistent; an inactive or anonymous user manages nothing.
    """
    if not user.is_authenticated or not user.is_active:
        return Programme.objects.none()
    memberships = Membership.objects.filter(
        Q(programme__isnull=True) | Q(programme_id=OuterRef("pk")),
        user_id=user.pk,
        role=Role.PROGRAMME_MANAGER,
        agency_id=OuterRef("agency_id"),
    )
    return Programme.objects.filter(Exists(memberships)).order_by("name")


def get_programme_for_manager(user: User, pk: int) -> Programme:
    """A programme the user manages; an audited 404 for any other, whether or not it exists."""
    programme = programmes_managed_by(user).filter(pk=pk).first()
    if programme is None:
        deny_read(user, "orgs.programme", pk)
    return programme


def programmes_configurable_by(user: User | AnonymousUser) -> QuerySet[Programme]:
    """Programmes whose configuration the user may change, by name.

    A programme manager configures the programmes they manage; an agency administrator every
    programme of the agencies they administer. No one else configures anything.
    """
    if not user.is_authenticated or not user.is_active:
        return Programme.objects.none()
    administered = agency_ids_administered_by(user)
    managed = programmes_managed_by(user).values("pk")
    return (
        Programme.objects.filter(Q(pk__in=managed) | Q(agency_id__in=administered))
        .select_related("agency")
        .order_by("name")
    )


def may_configure(user: User | AnonymousUser, programme: Programme) -> bool:
    """Whether the user may change this programme's configuration (services check it)."""
    return programmes_configurable_by(user).filter(pk=programme.pk).exists()


def get_programme_for_configuration(user: User, pk: int) -> Programme:
    """A programme the user configures; an audited 404 for any other, existing or not."""
    programme = programmes_configurable_by(user).filter(pk=pk).first()
    if programme is None:
        deny_read(user, "orgs.programme", pk)
    return programme


def configuration_changes_for(
    user: User, *, programme: Programme | None = None
) -> QuerySet[ConfigurationChange]:
    """The configuration history the user may read: of the programmes they configure."""
    changes = ConfigurationChange.objects.filter(
        programme__in=programmes_configurable_by(user).values("pk")
    )
    if programme is not None:
        changes = changes.filter(programme=programme)
    return changes.select_related("changed_by", "programme")
