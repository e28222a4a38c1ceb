"""The presentation rota in the database: planned turns, swaps, and reminders before a turn.

The choice of presenters is ``tandem.training.rota`` (pure); here the sessions already held
fix who presented, and the sessions to come are planned again after every change that could
move a turn (attendance taken, people added or removed, a swap agreed).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.training import rota
from tandem.training.models import (
    ChangeKind,
    Cohort,
    Participant,
    Presentation,
    PresentationStatus,
    SwapRequest,
    SwapStatus,
)
from tandem.training.selectors import manages
from tandem.training.services._common import (
    CohortChangedError,
    audit,
    record_change,
    require_reason,
)

REMINDER_DAYS_BEFORE = 3


def replan_rota(*, actor: User | None, cohort: Cohort, today: date | None = None) -> int:
    """Plan the presenters of every session without attendance yet; return how many turns.

    Sessions whose attendance was taken keep their turns (given or missed). Everyone active is
    expected at the sessions to come: an absence found later moves the turn on (see
    ``sessions.record_attendance``). The caller holds the transaction.
    """
    places = list(cohort.participants.filter(is_active=True).order_by("rota_position", "pk"))
    queue = [p.pk for p in places]
    sessions = list(cohort.sessions.filter(voided_at__isnull=True).order_by("held_on", "pk"))
    taken = set(
        cohort.sessions.filter(attendance__isnull=False).values_list("pk", flat=True).distinct()
    )
    coming = [s for s in sessions if s.pk not in taken]
    given = Counter(
        Presentation.objects.filter(
            session__cohort=cohort, status=PresentationStatus.GIVEN
        ).values_list("participant_id", flat=True)
    )
    plan = rota.plan_rota(
        queue=queue,
        given=given,
        sessions=[set(queue)] * len(coming),
        per_session=cohort.presenters_per_session,
    )
    wanted = {(s.pk, pid) for s, chosen in zip(coming, plan, strict=True) for pid in chosen}
    existing = {
        (p.session_id, p.participant_id): p for p in Presentation.objects.filter(session__in=coming)
    }
    stale = [p.pk for key, p in existing.items() if key not in wanted]
    # A turn with a note was given and is never re-planned; the filter only guards the rows.
    Presentation.objects.filter(pk__in=stale, note__isnull=True).delete()
    Presentation.objects.bulk_create(
        [
            Presentation(session_id=sid, participant_id=pid)
            for sid, pid in sorted(wanted)
            if (sid, pid) not in existing
        ]
    )
    record_event(
        actor=actor,
        action=Action.UPDATE,
        object_type="training.rota",
        object_id=str(cohort.pk),
        agency_id=cohort.host_agency_id,
    )
    return len(wanted)


def _next_turn(participant: Participant) -> Presentation | None:
    return (
        Presentation.objects.filter(
            participant=participant,
            status=PresentationStatus.PLANNED,
            session__voided_at__isnull=True,
        )
        .select_related("session")
        .order_by("session__held_on")
        .first()
    )


def _given_count(participant: Participant) -> int:
    return participant.presentations.filter(status=PresentationStatus.GIVEN).count()


def request_swap(*, actor: User, requester: Participant, partner: Participant) -> SwapRequest:
    """Ask another participant of the cohort to exchange the next turns; they answer."""
    if requester.user_id != actor.pk or not requester.is_active:
        raise PermissionDenied
    if partner.cohort_id != requester.cohort_id or not partner.is_active or partner == requester:
        raise ValidationError({"partner": _("Choose another participant of this cohort.")})
    if _next_turn(requester) is None or _next_turn(partner) is None:
        raise ValidationError({"partner": _("Both of you need a turn to come to swap it.")})
    if _given_count(requester) != _given_count(partner):
        raise ValidationError(
            {
                "partner": _(
                    "Turns swap within a round: this person has presented a different number "
                    "of times. Ask someone whose turn in this round is still to come."
                )
            }
        )
    if SwapRequest.objects.filter(
        cohort_id=requester.cohort_id, requester=requester, status=SwapStatus.PENDING
    ).exists():
        raise ValidationError({"partner": _("You already asked someone: wait for the answer.")})
    cohort = requester.cohort
    with transaction.atomic():
        swap = SwapRequest.objects.create(cohort=cohort, requester=requester, partner=partner)
        audit(actor, Action.CREATE, swap, cohort)
    return swap


def answer_swap(*, actor: User, swap: SwapRequest, accept: bool) -> SwapRequest:
    """The partner accepts or declines; the requester may withdraw. An accepted swap
    exchanges the two places in the queue, and the rota is planned again."""
    if swap.status != SwapStatus.PENDING:
        raise ValidationError(_("This request was already answered."))
    cohort = swap.cohort
    is_partner = swap.partner.user_id == actor.pk
    is_requester = swap.requester.user_id == actor.pk
    if not (is_partner or (is_requester and not accept)):
        raise PermissionDenied
    with transaction.atomic():
        if is_partner and accept:
            first, second = swap.requester, swap.partner
            first.rota_position, second.rota_position = second.rota_position, first.rota_position
            Participant.objects.bulk_update([first, second], ["rota_position"])
            swap.status = SwapStatus.ACCEPTED
        elif is_partner:
            swap.status = SwapStatus.DECLINED
        else:
            swap.status = SwapStatus.CANCELLED
        swap.answered_at = timezone.now()
        swap.save(update_fields=["status", "answered_at"])
        audit(actor, Action.UPDATE, swap, cohort)
        if swap.status == SwapStatus.ACCEPTED:
            replan_rota(actor=actor, cohort=cohort)
    return swap


def may_undo_swap(actor: User, swap: SwapRequest, today: date | None = None) -> bool:
    """A trainer may undo an accepted swap; either of its two participants too, until the
    day of the first session the swap moved a turn to (while both turns are still to come,
    attendance not taken)."""
    if swap.status != SwapStatus.ACCEPTED:
        return False
    if manages(actor, swap.cohort):
        return True
    if actor.pk not in (swap.requester.user_id, swap.partner.user_id):
        return False
    today = today or timezone.localdate()
    turns = [_next_turn(swap.requester), _next_turn(swap.partner)]
    return all(turn is not None and turn.session.held_on >= today for turn in turns)


def undo_swap(
    *, actor: User, swap: SwapRequest, reason: str, today: date | None = None
) -> SwapRequest:
    """Undo an accepted swap, with the reason: the two places in the queue are exchanged back
    (``rota.swap_places`` is its own inverse) and the rota is planned again."""
    if not may_undo_swap(actor, swap, today):
        if swap.status != SwapStatus.ACCEPTED:
            raise ValidationError(_("Only an accepted swap can be undone."))
        raise PermissionDenied
    reason = require_reason(reason)
    cohort = swap.cohort
    with transaction.atomic():
        claimed = SwapRequest.objects.filter(pk=swap.pk, status=SwapStatus.ACCEPTED).update(
            status=SwapStatus.UNDONE
        )
        if not claimed:
            raise CohortChangedError
        swap.status = SwapStatus.UNDONE
        places = list(cohort.participants.order_by("rota_position", "pk"))
        first, second = swap.requester, swap.partner
        queue = rota.swap_places([p.pk for p in places], first.pk, second.pk)
        by_pk = {p.pk: p for p in places}
        positions = {p.pk: p.rota_position for p in places}
        previous = {
            by_pk[first.pk].user.full_name: positions[first.pk] + 1,
            by_pk[second.pk].user.full_name: positions[second.pk] + 1,
        }
        ordered = sorted(positions.values())
        for pk, position in zip(queue, ordered, strict=True):
            by_pk[pk].rota_position = position
        Participant.objects.bulk_update([by_pk[first.pk], by_pk[second.pk]], ["rota_position"])
        record_change(
            actor=actor,
            cohort=cohort,
            obj=swap,
            object_type="swap",
            kind=ChangeKind.UNDONE,
            reason=reason,
            previous=previous,
        )
        audit(actor, Action.UPDATE, swap, cohort)
        replan_rota(actor=actor, cohort=cohort)
    return swap


def _send(subject: str, body: str, recipient: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])


def send_presenter_reminders(*, today: date | None = None, site_url: str = "") -> int:
    """E-mail each participant whose turn is ``REMINDER_DAYS_BEFORE`` days away (once).

    Run daily by ``tasks.presenter_reminders``; safe to run twice, as a sent reminder is marked.
    """
    today = today or timezone.localdate()
    due = Presentation.objects.filter(
        status=PresentationStatus.PLANNED,
        reminder_sent_at__isnull=True,
        session__voided_at__isnull=True,
        session__cohort__voided_at__isnull=True,
        participant__is_active=True,
        session__held_on__gt=today,
        session__held_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
    ).select_related("session__cohort", "participant__user")
    sent = 0
    for turn in due:
        user = turn.participant.user
        if not user.email or not user.is_active:
            continue
        with translation.override(user.preferred_language):
            subject = _("Your case presentation in %(cohort)s") % {"cohort": turn.session.cohort}
            body = render_to_string(
                "training/email_reminder.txt",
                {
                    "name": user.get_short_name(),
                    "session": turn.session,
                    "url": site_url + reverse("training:my_training"),
                },
            )
        with transaction.atomic():
            claimed = Presentation.objects.filter(pk=turn.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=timezone.now()
            )
            if not claimed:
                continue
            record_event(
                actor=None,
                action=Action.UPDATE,
                obj=turn,
                agency_id=turn.session.cohort.host_agency_id,
            )
            recipient = user.email
            transaction.on_commit(partial(_send, subject, body, recipient))
        sent += 1
    return sent
