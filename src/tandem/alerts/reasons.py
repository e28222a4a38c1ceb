"""An alert's reason in words a person can act on: what fired it, and what usually helps."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tandem.alerts.models import Alert, AlertRule

NEXT_MOVES = {
    AlertRule.ALLIANCE_DROP: gettext_lazy(
        "Ask the person how the work together is going, and what would make it better."
    ),
    AlertRule.OUTCOME_DETERIORATED: gettext_lazy(
        "Review the recovery plan with the person, and bring the case to supervision."
    ),
    AlertRule.NOT_ON_TRACK: gettext_lazy(
        "Halfway through the time limit without reliable improvement: revisit the goals and "
        "plan the transition."
    ),
    AlertRule.MEASURE_OVERDUE: gettext_lazy("Offer the questionnaire again, or enter it."),
    AlertRule.TIME_LIMIT_NEAR: gettext_lazy(
        "Agree the transition plan: who the person will rely on after discharge."
    ),
    AlertRule.NO_RECENT_CONTACT: gettext_lazy(
        "Reach out to the person, in the community where possible."
    ),
    AlertRule.CASELOAD_ABOVE_TARGET: gettext_lazy(
        "Discuss the caseload in supervision: transfers or closing episodes."
    ),
    AlertRule.SUPERVISION_NOT_HELD: gettext_lazy("Book the next supervision session."),
}


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _localised(reason: dict[str, Any]) -> dict[str, Any]:
    """The reason's figures as the reader writes them: decimal comma, dates in words."""
    shown: dict[str, Any] = {}
    for key, value in reason.items():
        if isinstance(value, bool) or value is None:
            shown[key] = value
        elif isinstance(value, float):
            shown[key] = number_format(round(value, 2), decimal_pos=None, use_l10n=True)
        elif isinstance(value, str) and ISO_DAY.match(value):
            shown[key] = date_format(date.fromisoformat(value), "DATE_FORMAT")
        else:
            shown[key] = value
    return shown


def _describe(rule: str, raw: dict[str, Any]) -> str:
    r = _localised(raw)
    if rule == AlertRule.ALLIANCE_DROP:
        return (
            _(
                "%(instrument)s %(score)s fell from %(previous)s to %(latest)s (%(change)s); a "
                "reliable change is more than %(threshold)s points."
            )
            % r
        )
    if rule == AlertRule.OUTCOME_DETERIORATED:
        return (
            _(
                "%(instrument)s %(score)s went from %(baseline)s at baseline to %(latest)s "
                "(%(change)s); a reliable change is more than %(threshold)s points."
            )
            % r
        )
    if rule == AlertRule.NOT_ON_TRACK:
        return (
            _(
                "Day %(days_in_episode)s of %(time_limit_days)s, and %(instrument)s %(score)s has "
                "not improved reliably (baseline %(baseline)s, latest %(latest)s; reliable change "
                "is more than %(threshold)s points)."
            )
            % r
        )
    if rule == AlertRule.MEASURE_OVERDUE:
        return (
            ngettext(
                "%(instrument)s was due on %(due_date)s, %(days_overdue)s day ago, and is not "
                "answered yet.",
                "%(instrument)s was due on %(due_date)s, %(days_overdue)s days ago, and is not "
                "answered yet.",
                raw["days_overdue"],
            )
            % r
        )
    if rule == AlertRule.TIME_LIMIT_NEAR:
        if raw["days_left"] < 0:
            return _("The time limit passed on %(planned_end)s.") % r
        if raw["days_left"] == 0:
            return _("The time limit ends today, %(planned_end)s.") % r
        return (
            ngettext(
                "The time limit ends on %(planned_end)s, in %(days_left)s day.",
                "The time limit ends on %(planned_end)s, in %(days_left)s days.",
                raw["days_left"],
            )
            % r
        )
    if rule == AlertRule.NO_RECENT_CONTACT:
        if r["last_contact"] is None:
            return (
                ngettext(
                    "No contact recorded in the %(days_in_episode)s day of the episode.",
                    "No contact recorded in the %(days_in_episode)s days of the episode.",
                    raw["days_in_episode"],
                )
                % r
            )
        return (
            _(
                "No contact for %(days_since_contact)s days (last on %(last_contact)s); the "
                "programme alerts after %(no_contact_days)s."
            )
            % r
        )
    if rule == AlertRule.CASELOAD_ABOVE_TARGET:
        return _("%(open_episodes)s open episodes against a target of %(target)s.") % r
    if rule == AlertRule.SUPERVISION_NOT_HELD:
        if r["kind"] == "group":
            return (
                _(
                    "No group supervision for %(days_without)s days; the programme alerts after "
                    "%(gap_days)s."
                )
                % r
            )
        return (
            _(
                "No individual supervision for %(days_without)s days; the programme alerts after "
                "%(gap_days)s."
            )
            % r
        )
    return ""


def describe(alert: Alert) -> str:
    """The alert's reason as a sentence; empty if its numbers do not fit the rule."""
    try:
        return _describe(alert.rule, alert.reason)
    except (KeyError, TypeError, ValueError):
        return ""


def next_move(alert: Alert) -> str:
    move = NEXT_MOVES.get(AlertRule(alert.rule))
    return "" if move is None else str(move)
