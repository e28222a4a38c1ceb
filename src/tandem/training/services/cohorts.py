"""Cohorts: who trains, who takes part, the weekly schedule and the principles covered.

A cohort is started by a trainer or an agency administrator, for agencies where they hold that
role; its participants are staff of those agencies, so that nobody is shown the staff of an
agency they have no role in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.orgs.models import Agency
from tandem.training.models import ChangeKind, Cohort, Participant, Principle, TrainingSession
from tandem.training.selectors import (
    agencies_for_cohorts_of,
    eligible_staff,
    eligible_trainers,
)
from tandem.training.services._common import (
    CohortChangedError,
    audit,
    claim,
    record_change,
    require_manager,
    require_reason,
    snapshot,
    void,
)
from tandem.training.services.rota import replan_rota

__all__ = ["CohortChangedError", "correct_cohort", "create_cohort", "void_cohort"]

MAX_SESSIONS = 104


def weekly_dates(starts_on: date, ends_on: date, weekday: int) -> list[date]:
    """Every ``weekday`` from ``starts_on`` to ``ends_on``, both included."""
    first = starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
    dates = []
    day = first
    while day <= ends_on:
        dates.append(day)
        day += timedelta(days=7)
    return dates


def _clean_principles(names: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for name in names:
        name = " ".join(name.split())
        if name and name.casefold() not in {c.casefold() for c in cleaned}:
            cleaned.append(name[:120])
    if not cleaned:
        raise ValidationError({"principles": _("Name at least one principle the cohort covers.")})
    return cleaned


def _check_people(
    agencies: Sequence[Agency], trainers: Sequence[User], participants: Sequence[User]
) -> None:
    ids = Agency.objects.filter(pk__in=[a.pk for a in agencies])
    if not trainers:
        raise ValidationError({"trainers": _("Choose at least one trainer.")})
    allowed_trainers = set(eligible_trainers(ids).values_list("pk", flat=True))
    if any(t.pk not in allowed_trainers for t in trainers):
        raise ValidationError(
            {"trainers": _("A trainer must hold the trainer role at one of the agencies.")}
        )
    allowed = set(eligible_staff(ids).values_list("pk", flat=True))
    if any(p.pk not in allowed for p in participants):
        raise ValidationError(
            {"participants": _("Participants must be staff of one of the cohort's agencies.")}
        )


def _set_principles(cohort: Cohort, names: list[str]) -> None:
    existing = {p.name.casefold(): p for p in cohort.principles.all()}
    for position, name in enumerate(names):
        principle = existing.pop(name.casefold(), None)
        if principle is None:
            Principle.objects.create(cohort=cohort, name=name, position=position)
        elif principle.position != position or principle.name != name:
            principle.position, principle.name = position, name
            principle.save(update_fields=["position", "name"])
    # A principle already used to tag a session or a note stays (the tags keep their meaning);
    # it is moved to the end rather than removed.
    for offset, principle in enumerate(existing.values(), start=len(names)):
        if principle.sessions.exists() or principle.notes.exists():
            principle.position = offset
            principle.save(update_fields=["position"])
        else:
            principle.delete()


def _set_participants(cohort: Cohort, users: Sequence[User]) -> None:
    current = {p.user_id: p for p in cohort.participants.all()}
    wanted = {u.pk for u in users}
    last = max((p.rota_position for p in current.values()), default=-1)
    for user in users:
        place = current.get(user.pk)
        if place is None:
            last += 1
            Participant.objects.create(cohort=cohort, user=user, rota_position=last)
        elif not place.is_active:
            place.is_active = True
            place.save(update_fields=["is_active"])
    for user_id, place in current.items():
        if user_id not in wanted and place.is_active:
            place.is_active = False
            place.save(update_fields=["is_active"])


def _schedule(cohort: Cohort, actor: User) -> None:
    """Sessions on each week's day up to the end: new ones added, those past a shortened end
    voided unless attendance was taken."""
    dates = weekly_dates(cohort.starts_on, cohort.ends_on, cohort.weekday)
    if len(dates) > MAX_SESSIONS:
        raise ValidationError(
            {"ends_on": _("A cohort has at most %(n)s weekly sessions.") % {"n": MAX_SESSIONS}}
        )
    if not dates:
        raise ValidationError(
            {"ends_on": _("No session falls between the start and the end on that day.")}
        )
    existing = set(cohort.sessions.filter(voided_at__isnull=True).values_list("held_on", flat=True))
    TrainingSession.objects.bulk_create(
        [TrainingSession(cohort=cohort, held_on=day) for day in dates if day not in existing]
    )
    for session in cohort.sessions.filter(voided_at__isnull=True, held_on__gt=cohort.ends_on):
        if session.attendance.exists():
            raise ValidationError(
                {"ends_on": _("Attendance was taken after this end date: choose a later end.")}
            )
        session.presentations.all().delete()
        session.voided_at = timezone.now()
        session.voided_by = actor
        session.void_reason = _("The cohort was shortened.")
        session.save(update_fields=["voided_at", "voided_by", "void_reason"])


def create_cohort(
    *,
    actor: User,
    name: str,
    host_agency: Agency,
    agencies: Sequence[Agency],
    trainers: Sequence[User],
    participants: Sequence[User],
    starts_on: date,
    ends_on: date,
    weekday: int,
    presenters_per_session: int = 1,
    principles: Sequence[str],
) -> Cohort:
    """Start a cohort: its weekly sessions are created, and the presentation rota planned."""
    allowed = set(agencies_for_cohorts_of(actor).values_list("pk", flat=True))
    agency_list = list({a.pk: a for a in [host_agency, *agencies]}.values())
    if not actor.is_active or any(a.pk not in allowed for a in agency_list):
        raise PermissionDenied
    names = _clean_principles(principles)
    _check_people(agency_list, trainers, participants)
    with transaction.atomic():
        cohort = Cohort(
            name=name.strip(),
            host_agency=host_agency,
            starts_on=starts_on,
            ends_on=ends_on,
            weekday=weekday,
            presenters_per_session=presenters_per_session,
            created_by=actor,
        )
        cohort.full_clean()
        cohort.save()
        cohort.agencies.set(agency_list)
        cohort.trainers.set(trainers)
        _set_principles(cohort, names)
        _set_participants(cohort, participants)
        _schedule(cohort, actor)
        audit(actor, Action.CREATE, cohort, cohort)
        replan_rota(actor=actor, cohort=cohort)
    return cohort


def _cohort_values(cohort: Cohort) -> dict[str, object]:
    values = snapshot(cohort, ["name", "ends_on", "presenters_per_session", "trainers"])
    values["participants"] = sorted(
        p.user.full_name for p in cohort.participants.filter(is_active=True).select_related("user")
    )
    values["principles"] = [p.name for p in cohort.principles.all()]
    return values


def correct_cohort(
    *,
    actor: User,
    cohort: Cohort,
    expected_version: int,
    reason: str,
    name: str,
    ends_on: date,
    presenters_per_session: int,
    trainers: Sequence[User],
    participants: Sequence[User],
    principles: Sequence[str],
) -> Cohort:
    """Correct a cohort: its name, end, trainers, participants or principles; the rota is
    planned again for the sessions to come."""
    require_manager(actor, cohort)
    reason = require_reason(reason)
    names = _clean_principles(principles)
    _check_people(list(cohort.agencies.all()), trainers, participants)
    with transaction.atomic():
        cohort = claim(cohort, expected_version)
        before = _cohort_values(cohort)
        cohort.name = name.strip()
        cohort.ends_on = ends_on
        cohort.presenters_per_session = presenters_per_session
        cohort.full_clean()
        cohort.save(update_fields=["name", "ends_on", "presenters_per_session"])
        cohort.trainers.set(trainers)
        _set_principles(cohort, names)
        _set_participants(cohort, participants)
        _schedule(cohort, actor)
        record_change(
            actor=actor,
            cohort=cohort,
            obj=cohort,
            kind=ChangeKind.CORRECTED,
            reason=reason,
            previous=before,
            current=_cohort_values(cohort),
        )
        audit(actor, Action.UPDATE, cohort, cohort)
        replan_rota(actor=actor, cohort=cohort)
    return cohort


def void_cohort(*, actor: User, cohort: Cohort, expected_version: int, reason: str) -> Cohort:
    """Void a cohort created in error: it leaves every list; its rows stay."""
    require_manager(actor, cohort)
    with transaction.atomic():
        cohort = claim(cohort, expected_version)
        void(cohort, actor, reason)
        record_change(
            actor=actor,
            cohort=cohort,
            obj=cohort,
            kind=ChangeKind.VOIDED,
            reason=cohort.void_reason,
            previous={},
        )
        audit(actor, Action.DELETE, cohort, cohort)
    return cohort
