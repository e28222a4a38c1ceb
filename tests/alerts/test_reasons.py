"""An alert's reason reads in the reader's language: numbers, dates, plurals and "today"."""

from __future__ import annotations

from django.utils import translation

from tandem.alerts.models import Alert, AlertRule
from tandem.alerts.reasons import describe


def _alert(rule: str, **reason: object) -> Alert:
    return Alert(rule=rule, reason=reason)


def test_french_reason_has_decimal_commas_and_dates_in_words() -> None:
    alert = _alert(
        AlertRule.ALLIANCE_DROP,
        instrument="RPRS",
        score="total",
        previous=31.5,
        latest=24.25,
        change=-7.25,
        threshold=4.5,
    )
    with translation.override("fr"):
        text = describe(alert)
    assert "31,5" in text
    assert "24,25" in text
    assert "4,5" in text
    assert "." not in text.rstrip(".")
    overdue = _alert(
        AlertRule.MEASURE_OVERDUE, instrument="QOLI-20", due_date="2026-11-03", days_overdue=4
    )
    with translation.override("fr"):
        assert "3 novembre 2026" in describe(overdue)
    with translation.override("en"):
        assert "Nov. 3, 2026" in describe(overdue) or "November 3, 2026" in describe(overdue)


def test_days_are_counted_in_words_that_agree() -> None:
    def limit(days_left: int) -> str:
        return describe(
            _alert(AlertRule.TIME_LIMIT_NEAR, planned_end="2026-12-07", days_left=days_left)
        )

    with translation.override("en"):
        assert "ends today" in limit(0)
        assert "in 1 day." in limit(1)
        assert "in 3 days." in limit(3)
        overdue_one = _alert(
            AlertRule.MEASURE_OVERDUE, instrument="X", due_date="2026-12-06", days_overdue=1
        )
        assert "1 day ago" in describe(overdue_one)
    with translation.override("fr"):
        assert "aujourd\u2019hui" in limit(0)
        assert "dans 1 jour." in limit(1)
        assert "dans 3 jours." in limit(3)
