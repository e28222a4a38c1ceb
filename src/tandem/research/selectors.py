"""Reads of studies and research consent, narrowed to what the user may see.

A study is read by its members (researchers), by the administrators of its agency, and by the
programme managers of its programmes; anyone else gets 404, as for a study that does not exist.
None of them reads an identified record here: the study's page shows counts, with cells under
five clients suppressed. Consent records are identified: only the people who may open the
client's record (case managers, supervisors, programme managers) read them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from tandem.accounts.access import agency_ids_administered_by, scope_for
from tandem.accounts.models import Membership, Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Client, Episode
from tandem.clients.selectors import clients_visible_to
from tandem.core.access import deny_read
from tandem.core.display import shown
from tandem.orgs.models import Agency, Programme, Team
from tandem.orgs.selectors import programmes_managed_by
from tandem.research.models import Enrolment, MemberRole, Study, StudyMember, StudyStatus

STUDY_ROLES = (Role.RESEARCHER, Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER)
CREATING_ROLES = (Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER)
CONSENT_ROLES = (Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
OPEN_STATUSES = (StudyStatus.DRAFT, StudyStatus.ACTIVE)


# ---- studies ----------------------------------------------------------------------------------
def studies_visible_to(user: User) -> QuerySet[Study]:
    """Studies the user is a member of, administers the agency of, or manages a programme of."""
    administered = agency_ids_administered_by(user)
    managed = programmes_managed_by(user).values("pk")
    return (
        Study.objects.filter(
            Q(members__user=user) | Q(agency_id__in=administered) | Q(programmes__in=managed)
        )
        .distinct()
        .order_by("title", "pk")
    )


def get_study_for(user: User, pk: int) -> Study:
    """A study the user may read (audited); 404 otherwise."""
    study = studies_visible_to(user).filter(pk=pk).select_related("agency").first()
    if study is None:
        deny_read(user, "research.study", pk)
    record_event(actor=user, action=Action.VIEW, obj=study, agency_id=study.agency_id)
    return study


def manages(user: User, study: Study) -> bool:
    """Whether the user may change the study: its lead, an administrator of its agency, or a
    programme manager of every one of its programmes."""
    if study.agency_id in agency_ids_administered_by(user):
        return True
    if leads(user, study):
        return True
    programmes = set(study.programmes.values_list("pk", flat=True))
    managed = set(programmes_managed_by(user).values_list("pk", flat=True))
    return bool(programmes) and programmes <= managed


def leads(user: User, study: Study) -> bool:
    return StudyMember.objects.filter(study=study, user=user, role=MemberRole.LEAD).exists()


def agencies_for_studies_of(user: User) -> QuerySet[Agency]:
    """Agencies where the user may start a study (administrator or programme manager)."""
    ids = Membership.objects.filter(user=user, role__in=CREATING_ROLES).values("agency_id")
    return Agency.objects.filter(pk__in=ids).order_by("name")


def programmes_for_studies_of(user: User) -> QuerySet[Programme]:
    """Programmes a study of the user may run over: every programme of the agencies they
    administer, and those they manage."""
    administered = agency_ids_administered_by(user)
    managed = programmes_managed_by(user).values("pk")
    return (
        Programme.objects.filter(Q(agency_id__in=administered) | Q(pk__in=managed))
        .select_related("agency")
        .order_by("agency__name", "name")
    )


def teams_for_studies_of(user: User) -> QuerySet[Team]:
    return (
        Team.objects.filter(programme__in=programmes_for_studies_of(user))
        .select_related("programme")
        .order_by("programme__name", "name")
    )


def eligible_members(agency_id: int) -> QuerySet[User]:
    """Who may join a study of the agency: its researchers, and its administrators (as lead)."""
    ids = Membership.objects.filter(
        agency_id=agency_id, role__in=(Role.RESEARCHER, Role.AGENCY_ADMIN)
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "pk")


def eligible_leads_for(user: User) -> QuerySet[User]:
    """Who may lead a study the user starts: researchers and administrators of the agencies
    where the user may start one."""
    ids = Membership.objects.filter(
        agency__in=agencies_for_studies_of(user), role__in=(Role.RESEARCHER, Role.AGENCY_ADMIN)
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "pk")


def holds_role(user: User, agency_id: int, role: str) -> bool:
    return Membership.objects.filter(user=user, agency_id=agency_id, role=role).exists()


def members_of(study: Study) -> QuerySet[StudyMember]:
    return study.members.select_related("user").order_by("role", "user__full_name", "pk")


# ---- aggregate counts (what researchers see) -------------------------------------------------
@dataclass(frozen=True)
class ProgrammeCount:
    programme: Programme
    enrolled: int | str


@dataclass(frozen=True)
class StudyCounts:
    """Consent counts of a study; any count of 1 to 4 shown as "<5"."""

    enrolled: int | str
    withdrawn: int | str
    by_programme: tuple[ProgrammeCount, ...]
    data_version: int


def study_counts(study: Study) -> StudyCounts:
    """Active consents, withdrawals, and active consents per programme (three queries)."""
    live = Enrolment.objects.filter(study=study, is_voided=False)
    totals = live.aggregate(
        enrolled=Count("pk", filter=Q(withdrawn_on__isnull=True)),
        withdrawn=Count("pk", filter=Q(withdrawn_on__isnull=False)),
    )
    active_clients = live.filter(withdrawn_on__isnull=True).values("client_id")
    per_programme: dict[int, set[int]] = defaultdict(set)
    episodes = Episode.objects.filter(
        client_id__in=active_clients, programme__in=study.programmes.all()
    ).values_list("programme_id", "client_id")
    for programme_id, client_id in episodes:
        per_programme[programme_id].add(client_id)
    programmes = list(study.programmes.order_by("name"))
    return StudyCounts(
        enrolled=_cell(totals["enrolled"]),
        withdrawn=_cell(totals["withdrawn"]),
        by_programme=tuple(
            ProgrammeCount(p, _cell(len(per_programme.get(p.pk, ())))) for p in programmes
        ),
        data_version=study.data_version,
    )


def _cell(n: int) -> int | str:
    value = shown(n, n)
    return value if isinstance(value, (int, str)) else n


# ---- research consent (identified: the client's own care team only) ---------------------------
def may_record_consent(user: User) -> bool:
    return scope_for(user).has_role(*CONSENT_ROLES)


def consent_studies_for(client: Client) -> list[Study]:
    """Studies open to the client's consent: not closed, of the client's agency, over a
    programme (and, where narrowed, a team) of one of the client's episodes."""
    episodes = list(Episode.objects.filter(client=client).values_list("programme_id", "team_id"))
    programme_ids = {p for p, _t in episodes}
    team_ids = {t for _p, t in episodes}
    studies = (
        Study.objects.filter(
            agency_id=client.agency_id, programmes__in=programme_ids, status__in=OPEN_STATUSES
        )
        .distinct()
        .prefetch_related("teams")
        .order_by("title", "pk")
    )
    found = []
    for study in studies:
        narrowed = {t.pk for t in study.teams.all()}
        if not narrowed or narrowed & team_ids:
            found.append(study)
    return found


@dataclass(frozen=True)
class ConsentRow:
    study: Study
    enrolment: Enrolment | None


def consent_panel_for(user: User, client: Client) -> list[ConsentRow]:
    """Each study open to the client with the client's live consent record, if any; for a user
    who may open the client (others get 404)."""
    if not may_record_consent(user) or not clients_visible_to(user).filter(pk=client.pk).exists():
        deny_read(user, "research.enrolment", f"client:{client.pk}")
    studies = consent_studies_for(client)
    live = {
        e.study_id: e
        for e in Enrolment.objects.filter(
            client=client, is_voided=False, study_id__in=[s.pk for s in studies]
        )
    }
    # Studies closed since the consent was given still show it.
    closed = Enrolment.objects.filter(client=client, is_voided=False).exclude(
        study_id__in=[s.pk for s in studies]
    )
    rows = [ConsentRow(s, live.get(s.pk)) for s in studies]
    rows += [ConsentRow(e.study, e) for e in closed.select_related("study")]
    return rows


def get_enrolment_for(user: User, pk: int) -> Enrolment:
    """A consent record of a client the user may open (audited); 404 otherwise."""
    enrolment = None
    if may_record_consent(user):
        enrolment = (
            Enrolment.objects.filter(pk=pk, client__in=clients_visible_to(user))
            .select_related("study", "client", "recorded_by", "withdrawal_recorded_by")
            .first()
        )
    if enrolment is None:
        deny_read(user, "research.enrolment", pk)
    record_event(
        actor=user, action=Action.VIEW, obj=enrolment, agency_id=enrolment.client.agency_id
    )
    return enrolment


def enrolments_for(user: User, client: Client) -> QuerySet[Enrolment]:
    """Every consent record of the client, voided ones included, for its care team."""
    if not may_record_consent(user) or not clients_visible_to(user).filter(pk=client.pk).exists():
        deny_read(user, "research.enrolment", f"client:{client.pk}")
    return Enrolment.objects.filter(client=client).select_related("study")


def active_enrolments(study: Study) -> QuerySet[Enrolment]:
    """The study's consents that count: neither withdrawn nor voided (for the data set)."""
    return Enrolment.objects.filter(study=study, is_voided=False, withdrawn_on__isnull=True)
