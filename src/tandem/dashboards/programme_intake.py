"""The programme dashboard's intake panels: referrals per month, declines, the waitlist.

Referrals are counted by the date they were received; every count under five is suppressed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from tandem.clients.models import (
    DeclineReason,
    Referral,
    ReferralPriority,
    ReferralStatus,
)
from tandem.core.display import Cell, month_text, rounded, shown
from tandem.dashboards.charts import Panel, bar_chart, median_of
from tandem.dashboards.periods import month_starts
from tandem.dashboards.selectors import as_date
from tandem.orgs.models import Programme

ACCEPTED = (ReferralStatus.WAITLISTED, ReferralStatus.ASSIGNED)


def referrals_panel(programme: Programme, start: date, end: date) -> tuple[Panel, list[int]]:
    rows = (
        Referral.objects.filter(programme=programme, received_on__range=(start, end))
        .annotate(month=TruncMonth("received_on"))
        .order_by()
        .values("month", "status")
        .annotate(n=Count("pk"))
    )
    received: dict[date, int] = defaultdict(int)
    accepted: dict[date, int] = defaultdict(int)
    declined: dict[date, int] = defaultdict(int)
    for row in rows:
        month = as_date(row["month"])
        received[month] += row["n"]
        if row["status"] in ACCEPTED:
            accepted[month] += row["n"]
        elif row["status"] == ReferralStatus.DECLINED:
            declined[month] += row["n"]
    months = month_starts(start, end)
    labels = [month_text(month) for month in months]
    table: list[tuple[Cell, ...]] = [
        (
            label,
            shown(received[month], received[month]),
            shown(accepted[month], accepted[month]),
            shown(declined[month], declined[month]),
        )
        for label, month in zip(labels, months, strict=True)
    ]
    columns = (_("Received"), _("Accepted"), _("Declined"))
    series = {name: [row[i + 1] for row in table] for i, name in enumerate(columns)}
    totals = [sum(received.values()), sum(accepted.values()), sum(declined.values())]
    table.append((_("Period"), *(shown(n, n) for n in totals)))
    panel = Panel(
        title=_("Referrals per month"),
        svg=bar_chart(labels, series, ylabel=_("referrals")),
        columns=(_("Month received"), *columns),
        rows=table,
        caption=_(
            "Referrals received per month, and how many of them were accepted (waitlisted or "
            "assigned) or declined. Months with fewer than 5 are shown as <5."
        ),
    )
    return panel, totals


def declines_panel(programme: Programme, start: date, end: date) -> Panel:
    counts = dict(
        Referral.objects.filter(
            programme=programme,
            received_on__range=(start, end),
            status=ReferralStatus.DECLINED,
        )
        .order_by()
        .values("decline_reason")
        .annotate(n=Count("pk"))
        .values_list("decline_reason", "n")
    )
    reasons = [reason for reason in DeclineReason if counts.get(reason.value)]
    labels = [str(reason.label) for reason in reasons]
    values = [shown(counts[reason.value], counts[reason.value]) for reason in reasons]
    return Panel(
        title=_("Declines by reason"),
        svg=bar_chart(labels, {_("Declined"): values}, ylabel=_("referrals"), horizontal=True),
        columns=(_("Reason"), _("Declined")),
        rows=[(label, value) for label, value in zip(labels, values, strict=True)],
        caption=_("Referrals received in the period and declined, by reason."),
    )


def waitlist_panel(programme: Programme, today: date) -> tuple[Panel, int, float | None]:
    waiting = list(
        Referral.objects.filter(programme=programme, status=ReferralStatus.WAITLISTED)
        .order_by()
        .values_list("priority", "received_on")
    )
    by_priority: dict[int, list[float]] = defaultdict(list)
    for priority, received_on in waiting:
        by_priority[priority].append(float((today - received_on).days))
    everyone = [days for values in by_priority.values() for days in values]

    def row(label: str, days: list[float]) -> tuple[Cell, ...]:
        n = len(days)
        return (
            label,
            shown(n, n),
            shown(rounded(median_of(days)), n),
            shown(max(days) if days else None, n),
        )

    table = [row(str(p.label), by_priority.get(p.value, [])) for p in ReferralPriority]
    table.append(row(_("All"), everyone))
    labels = [str(p.label) for p in ReferralPriority]
    panel = Panel(
        title=_("Waitlist now"),
        svg=bar_chart(
            labels,
            {
                _("Median days waiting"): [r[2] for r in table[:-1]],
                _("Longest wait (days)"): [r[3] for r in table[:-1]],
            },
            ylabel=_("days"),
        ),
        columns=(_("Priority"), _("Waiting"), _("Median days waiting"), _("Longest wait (days)")),
        rows=table,
        caption=_("People on the waitlist today, by priority, and how long they have waited."),
    )
    return panel, len(everyone), median_of(everyone)
