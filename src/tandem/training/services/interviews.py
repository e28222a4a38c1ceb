"""The cohort's end-of-programme interviews as a qualitative project, its participants as cases.

The project is the qualitative module's own (``tandem.qualitative.services``): the trainer who
opens it is its lead, and what is analysed there (transcripts, codes, memos) is reached only
through its membership. Each participant is one case, named by a code (``P01``...) so that the
analysis reads without names; the case's description holds the person's name for the lead, and
its attributes say it is a participant, of which agency, and how many sessions they attended
when the case was made.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tandem.accounts.models import Membership, User
from tandem.audit.models import Action
from tandem.qualitative.models import (
    AttributeDefinition,
    AttributeType,
    Case,
    Project,
    ProjectRole,
)
from tandem.qualitative.selectors import projects_visible_to
from tandem.qualitative.services import cases as qualitative_cases
from tandem.qualitative.services import projects as qualitative_projects
from tandem.training.models import AttendanceStatus, Cohort, Participant
from tandem.training.selectors import trains
from tandem.training.services._common import audit

TITLE_LENGTH = Project._meta.get_field("title").max_length or 200


@dataclass(frozen=True)
class InterviewProject:
    """The cohort's interview project, whether this call created it, and the cases it added."""

    project: Project
    created: bool
    cases_added: int
    # False when the project exists but the trainer is not one of its members.
    is_member: bool


def _attribute_names() -> dict[str, str]:
    return {
        "role": pgettext("interview case attribute", "Role in the programme"),
        "agency": pgettext("interview case attribute", "Agency"),
        "attended": pgettext("interview case attribute", "Sessions attended"),
    }


def _project_agency_id(actor: User, cohort: Cohort) -> int | None:
    """The host agency if the trainer works there, else another agency of the cohort they do."""
    mine = set(Membership.objects.filter(user=actor).values_list("agency_id", flat=True))
    if cohort.host_agency_id in mine:
        return cohort.host_agency_id
    found = cohort.agencies.filter(pk__in=mine).order_by("name").first()
    return None if found is None else found.pk


def _case_name(taken: set[str]) -> str:
    number = 1
    while f"P{number:02d}" in {t.upper() for t in taken}:
        number += 1
    return f"P{number:02d}"


def _attributes(actor: User, project: Project) -> dict[str, AttributeDefinition]:
    """The project's three attributes by key, defined at the first call; found again by their
    name in any language of the site, whichever language they were made in."""
    existing = {a.name.casefold(): a for a in project.attributes.all()}
    found: dict[str, AttributeDefinition] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for key, name in _attribute_names().items():
                if key not in found and name.casefold() in existing:
                    found[key] = existing[name.casefold()]
    names = _attribute_names()
    for key, value_type in (
        ("role", AttributeType.TEXT),
        ("agency", AttributeType.TEXT),
        ("attended", AttributeType.INTEGER),
    ):
        if key not in found:
            found[key] = qualitative_cases.define_attribute(
                actor=actor, project=project, name=names[key], value_type=value_type
            )
    return found


def _add_cases(actor: User, cohort: Cohort, project: Project) -> int:
    """A case for each active participant who has none yet in this project."""
    attributes = _attributes(actor, project)
    waiting = list(
        cohort.participants.filter(is_active=True)
        .exclude(interview_case__project=project)
        .select_related("user")
        .order_by("rota_position", "pk")
    )
    if not waiting:
        return 0
    taken = set(project.cases.values_list("name", flat=True))
    home = {
        m.user_id: m.agency.name
        for m in Membership.objects.filter(
            user__in=[p.user for p in waiting], agency__in=cohort.agencies.all()
        )
        .select_related("agency")
        .order_by("agency__name")
    }
    for place in waiting:
        attended = place.attendance.filter(
            status=AttendanceStatus.PRESENT, session__voided_at__isnull=True
        ).count()
        name = _case_name(taken)
        taken.add(name)
        case = qualitative_cases.create_case(
            actor=actor,
            project=project,
            name=name,
            description=place.user.full_name,
            values={
                attributes["role"].pk: pgettext("interview case attribute", "Participant"),
                attributes["agency"].pk: home.get(place.user_id, ""),
                attributes["attended"].pk: attended,
            },
        )
        _link(place, case)
    return len(waiting)


def _link(place: Participant, case: Case) -> None:
    place.interview_case = case
    place.save(update_fields=["interview_case"])


def open_interview_project(*, actor: User, cohort: Cohort) -> InterviewProject:
    """Open the cohort's interview project, or the one already opened (a trainer of the
    cohort); the cohort's participants without a case get one when the trainer leads it."""
    if not trains(actor, cohort) or cohort.is_voided:
        raise PermissionDenied
    with transaction.atomic():
        # One project per cohort even when two trainers click at once.
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        project = locked.interview_project
        if project is not None:
            is_member = projects_visible_to(actor).filter(pk=project.pk).exists()
            leads = project.members.filter(user=actor, role=ProjectRole.LEAD, is_active=True)
            added = 0
            if is_member and leads.exists() and not project.is_archived:
                added = _add_cases(actor, locked, project)
            return InterviewProject(project, False, added, is_member)
        agency_id = _project_agency_id(actor, locked)
        if agency_id is None:
            raise PermissionDenied
        project = qualitative_projects.create_linked_project(
            actor=actor,
            agency=locked.agencies.get(pk=agency_id),
            title=(_("End-of-programme interviews: %(cohort)s") % {"cohort": locked.name})[
                :TITLE_LENGTH
            ],
            description=_(
                "Interviews with the participants of the training cohort %(cohort)s at the end "
                "of the programme. Each participant is a case; add their transcripts as "
                "documents of their case."
            )
            % {"cohort": locked.name},
        )
        for trainer in (
            locked.trainers.exclude(pk=actor.pk)
            .filter(is_active=True, memberships__agency_id=agency_id)
            .distinct()
        ):
            qualitative_projects.add_member(
                actor=actor, project=project, user=trainer, role=ProjectRole.LEAD
            )
        locked.interview_project = project
        locked.save(update_fields=["interview_project"])
        audit(actor, Action.UPDATE, locked, locked)
        added = _add_cases(actor, locked, project)
    return InterviewProject(project, True, added, True)
