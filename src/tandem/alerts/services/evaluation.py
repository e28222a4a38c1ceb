"""Open, auto-resolve and escalate alerts from the conditions the rules find."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, Role, User
from tandem.alerts.models import Alert, AlertRule, AlertStatus
from tandem.alerts.rules import (
    RULES,
    Condition,
    RuleContext,
    TeamFacts,
    conditions_holding,
    context_for,
)
from tandem.alerts.services._common import AUTO_RESOLVED_NOTE, ESCALATED_NOTE, append_alert_step
from tandem.audit.models import Action
from tandem.audit.services import record_event


def _open(condition: Condition, today: date, agency_id: int) -> bool:
    """Open one alert with its first step; False if a concurrent run opened it first."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=condition.rule,
                team_id=condition.team_id,
                episode_id=condition.episode_id,
                client_id=condition.client_id,
                worker_id=condition.worker_id,
                subject_key=condition.subject_key,
                reason=condition.reason,
                opened_on=today,
            )
            record_event(actor=None, action=Action.CREATE, obj=alert, agency_id=agency_id)
            append_alert_step(alert, AlertStatus.OPEN, None, "", agency_id=agency_id)
    except IntegrityError:
        return False
    return True


def _auto_resolve(alert: Alert, now: datetime, agency_id: int) -> bool:
    """Resolve an alert nobody has taken up yet, if nobody moved it meanwhile."""
    with transaction.atomic():
        moved = Alert.objects.filter(
            pk=alert.pk, version=alert.version, status=AlertStatus.OPEN
        ).update(
            status=AlertStatus.RESOLVED,
            resolved_at=now,
            version=F("version") + 1,
            updated_at=now,
        )
        if not moved:
            return False
        record_event(actor=None, action=Action.UPDATE, obj=alert, agency_id=agency_id)
        with translation.override(settings.LANGUAGE_CODE):
            note = str(AUTO_RESOLVED_NOTE)
        append_alert_step(alert, AlertStatus.RESOLVED, None, note, agency_id=agency_id)
    return True


def evaluate_alerts(
    *,
    today: date | None = None,
    team_ids: Iterable[int] | None = None,
    rules: Iterable[str] | None = None,
) -> dict[str, int]:
    """Bring the stored alerts in line with the conditions that hold today.

    Opens one alert per new condition (one per rule, team and subject while unresolved);
    resolves the alerts still open, not yet taken up, whose condition has cleared; leaves the
    discussed and agreed ones to people. With every rule (``rules`` None) it also escalates
    alerts left unresolved too long. Running it twice changes nothing the second time.
    """
    ctx = context_for(today=today or timezone.localdate(), team_ids=team_ids)
    now = timezone.now()
    wanted_rules = list(RULES) if rules is None else sorted({AlertRule(r) for r in rules})
    conditions = {condition.key: condition for condition in conditions_holding(ctx, wanted_rules)}
    unresolved = Alert.objects.exclude(status=AlertStatus.RESOLVED).filter(
        rule__in=wanted_rules, team_id__in=list(ctx.teams)
    )
    existing = {(alert.rule, alert.team_id, alert.subject_key): alert for alert in unresolved}
    opened = resolved = 0
    for key, condition in conditions.items():
        if key in existing:
            continue
        if _open(condition, ctx.today, ctx.teams[condition.team_id].agency_id):
            opened += 1
    for key, alert in existing.items():
        if key in conditions or alert.status != AlertStatus.OPEN:
            continue
        if _auto_resolve(alert, now, ctx.teams[alert.team_id].agency_id):
            resolved += 1
    escalated = _escalate(ctx, now) if rules is None else 0
    return {
        "conditions": len(conditions),
        "opened": opened,
        "resolved": resolved,
        "escalated": escalated,
    }


# ---- escalation ---------------------------------------------------------------------------------
def _supervisors_by_team(teams: dict[int, TeamFacts]) -> dict[int, list[User]]:
    """Active supervisors reaching each team (team, programme or agency membership)."""
    rows = Membership.objects.filter(
        role=Role.SUPERVISOR,
        agency_id__in={info.agency_id for info in teams.values()},
        user__is_active=True,
    ).select_related("user")
    found: dict[int, list[User]] = defaultdict(list)
    for membership in rows:
        for team_id, info in teams.items():
            if membership.agency_id != info.agency_id:
                continue
            if membership.programme_id is not None and membership.programme_id != info.programme_id:
                continue
            if membership.team_id is not None and membership.team_id != team_id:
                continue
            if membership.user not in found[team_id]:
                found[team_id].append(membership.user)
    return found


def _send_escalation_email(supervisor: User, alert_ids: list[int]) -> None:
    """Tell a supervisor which alerts came to them: links only, nothing about anyone."""
    links = [f"{settings.SITE_URL}{reverse('alerts:alert_detail', args=[pk])}" for pk in alert_ids]
    with translation.override(supervisor.preferred_language):
        subject = _("Alerts left open have come to you")
        body = render_to_string("alerts/alert_escalation_email.txt", {"links": links})
    recipient = supervisor.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    )


def _escalate(ctx: RuleContext, now: datetime) -> int:
    """Send alerts unresolved for more than the programme's days to the team's supervisors."""

    def days_of(team_id: int) -> int:
        return ctx.policy_of_team(team_id).escalate_after_days

    candidates = [
        alert
        for alert in Alert.objects.exclude(status=AlertStatus.RESOLVED).filter(
            escalated_at__isnull=True, team_id__in=list(ctx.teams)
        )
        if (ctx.today - alert.opened_on).days > days_of(alert.team_id)
    ]
    if not candidates:
        return 0
    supervisors = _supervisors_by_team(ctx.teams)
    sent_to: dict[int, list[int]] = defaultdict(list)
    people: dict[int, User] = {}
    escalated = 0
    with transaction.atomic():
        for alert in candidates:
            moved = Alert.objects.filter(
                Q(escalated_at__isnull=True), pk=alert.pk, version=alert.version
            ).update(escalated_at=now, version=F("version") + 1, updated_at=now)
            if not moved:
                continue
            escalated += 1
            agency_id = ctx.teams[alert.team_id].agency_id
            record_event(actor=None, action=Action.UPDATE, obj=alert, agency_id=agency_id)
            with translation.override(settings.LANGUAGE_CODE):
                note = str(ESCALATED_NOTE) % {"days": days_of(alert.team_id)}
            append_alert_step(alert, alert.status, None, note, agency_id=agency_id)
            for person in supervisors.get(alert.team_id, []):
                people[person.pk] = person
                sent_to[person.pk].append(alert.pk)
        for person_id, alert_ids in sent_to.items():
            if people[person_id].email:
                _send_escalation_email(people[person_id], alert_ids)
    return escalated
