"""The supervisor's team dashboard: fidelity over time, indicators against target, outcomes.

Panels, each an SVG chart with its numbers in a table (``charts.Panel``), or a table only:

(a) the fidelity total: final reviews as points, their daily linear interpolation as a line
    (``fidelity.series.team_fidelity_series``) and the scale's high-fidelity threshold;
(m) what moved: each routine indicator now against four weeks earlier and its target, those
    that got worse or are off target first, each leading to the team's indicators page;
(b) each domain's mean at each review;
(c) the latest routine indicators against their target, with drift over the last 12 weeks;
(d) the team's clients' alliance and outcome scores by quarter (clients counted, mean), cells of
    fewer than five clients suppressed.

Everything is read from stored rows (review scores, indicator values, response scores): the
dashboard costs the same few queries however much data there is, and its charts are drawn
again only when what they draw changes (``charts.cached_chart``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.display import day_text, number_text
from tandem.dashboards import team_charts
from tandem.dashboards.charts import Panel
from tandem.dashboards.team_indicators import (
    indicator_panel,
    indicator_rows,
    indicator_targets,
    movement_panel,
)
from tandem.dashboards.team_outcomes import outcome_panels
from tandem.fidelity.labels import localised
from tandem.fidelity.models import FidelityDomain, FidelityReview, ReviewStatus
from tandem.fidelity.series import team_fidelity_series
from tandem.orgs.models import Team
from tandem.stats import DailySeriesResult


@dataclass(frozen=True, slots=True)
class TeamDashboard:
    """What the team page and the quarterly report show."""

    team: Team
    start: date
    end: date
    fidelity: Panel
    movement: Panel
    domains: Panel
    indicators: Panel
    outcomes: tuple[Panel, ...]
    drifting: tuple[str, ...]
    indicator_day: date | None

    @property
    def panels(self) -> tuple[Panel, ...]:
        return (self.fidelity, self.movement, self.domains, self.indicators, *self.outcomes)


def team_dashboard(user: User, team: Team, *, start: date, end: date) -> TeamDashboard:
    """Build the team dashboard for ``start``..``end`` (inclusive) for a user who may see it.

    The caller has already resolved ``team`` through ``orgs.selectors.get_team_for``; the
    client scores read here are further narrowed to the episodes the user may see.
    """
    record_event(actor=user, action=Action.VIEW, obj=team, agency_id=team.programme.agency_id)
    reviews, domains = _final_reviews(team)
    threshold = _threshold(reviews)
    indicators = indicator_rows(team, start=start, end=end)
    targets = indicator_targets(team, indicators)
    indicators_shown, drifting = indicator_panel(indicators, domains, targets)
    return TeamDashboard(
        team=team,
        start=start,
        end=end,
        fidelity=_fidelity_panel(team, reviews, threshold, start=start, end=end),
        movement=movement_panel(team, indicators, targets),
        domains=_domain_panel(reviews, domains, start=start, end=end),
        indicators=indicators_shown,
        outcomes=outcome_panels(user, team, start=start, end=end),
        drifting=drifting,
        indicator_day=indicators.latest_day,
    )


# ---- reviews ------------------------------------------------------------------------------------
def _final_reviews(team: Team) -> tuple[list[FidelityReview], dict[str, str]]:
    """Final reviews of the scale the team was last reviewed with, oldest first; domain names.

    Totals of different scales are not comparable, so only the latest scale's reviews are drawn.
    """
    reviews = list(
        FidelityReview.objects.filter(team=team, status=ReviewStatus.FINAL, total__isnull=False)
        .select_related("scale")
        .order_by("review_date", "pk")
    )
    if not reviews:
        return [], {}
    scale = reviews[-1].scale
    reviews = [review for review in reviews if review.scale_id == scale.pk]
    domains = {
        code: localised(name)
        for code, name in FidelityDomain.objects.filter(scale=scale)
        .order_by("position", "pk")
        .values_list("code", "name")
    }
    return reviews, domains


def _threshold(reviews: list[FidelityReview]) -> float | None:
    if not reviews or reviews[-1].scale.high_fidelity_threshold is None:
        return None
    return float(reviews[-1].scale.high_fidelity_threshold)


def _line(series: DailySeriesResult | None) -> list[tuple[date, float]]:
    """The daily series at its ends and wherever its slope changes: exact, being piecewise linear.

    Drawing a few knots instead of every day keeps the inline SVG small.
    """
    if series is None:
        return []
    values = series.values
    bends = np.flatnonzero(np.abs(np.diff(values, n=2)) > 1e-9) + 1
    knots = sorted({0, values.size - 1, *bends.tolist()})
    return [(series.days[i].astype(dt.date), float(values[i])) for i in knots]


def _high_or_below(is_high: bool | None) -> str:
    if is_high is None:
        return "-"
    return _("High") if is_high else _("Below")


# ---- panels (a) and (b) -------------------------------------------------------------------------
def _fidelity_panel(
    team: Team,
    reviews: list[FidelityReview],
    threshold: float | None,
    *,
    start: date,
    end: date,
) -> Panel:
    series = team_fidelity_series(team.pk, start=start, end=end)
    shown_reviews = [r for r in reviews if start <= r.review_date <= end]
    svg = team_charts.fidelity_chart(
        reviews=[(r.review_date, float(r.total or 0), r.is_high_fidelity) for r in shown_reviews],
        line=_line(series),
        threshold=threshold,
        start=start,
        end=end,
    )
    if threshold is None:
        threshold_text = _("The scale sets no high-fidelity threshold.")
    else:
        threshold_text = _("Dashed line: high fidelity at %(threshold)s or above.") % {
            "threshold": number_format(threshold, 1)
        }
    if reviews:
        empty = _(
            "No final fidelity review falls in this period. Choose a longer period to see the "
            "team's reviews."
        )
    else:
        empty = _(
            "This team has no final fidelity review yet. The chart appears once assessors have "
            "reconciled and finalised a review (Fidelity reviews)."
        )
    return Panel(
        title=_("Fidelity total over time"),
        svg=svg,
        columns=(_("Review date"), _("Total"), _("High fidelity")),
        rows=[
            (
                day_text(r.review_date),
                number_text(r.total, 2),
                _high_or_below(r.is_high_fidelity),
            )
            for r in shown_reviews
        ],
        caption=" ".join(
            (
                _(
                    "Points: final reviews. Line: the total interpolated day by day between "
                    "reviews (held flat before the first and after the last)."
                ),
                threshold_text,
            )
        ),
        empty_text=empty,
        row_links=tuple(reverse("fidelity:review_detail", args=[r.pk]) for r in shown_reviews),
    )


def _domain_panel(
    reviews: list[FidelityReview], domains: dict[str, str], *, start: date, end: date
) -> Panel:
    shown_reviews = [r for r in reviews if start <= r.review_date <= end]
    codes = list(domains)
    for review in shown_reviews:
        for code in review.scores.get("domains", {}):
            if code not in codes:
                codes.append(code)
    names = [domains.get(code, code) for code in codes]

    def mean(review: FidelityReview, code: str) -> float | None:
        value = review.scores.get("domains", {}).get(code)
        return float(value) if isinstance(value, int | float) else None

    series = [
        (
            name,
            [(r.review_date, m) for r in shown_reviews if (m := mean(r, code)) is not None],
        )
        for code, name in zip(codes, names, strict=True)
    ]
    return Panel(
        title=_("Domain means at each review"),
        svg=team_charts.domain_small_multiples(series, start=start, end=end),
        columns=(_("Domain"), *(day_text(r.review_date) for r in shown_reviews)),
        rows=[
            (name, *(number_text(mean(r, code), 2) for r in shown_reviews))
            for code, name in zip(codes, names, strict=True)
        ],
        caption=_("Each domain's mean rating (1 to 5) in each final review; empty: not rated."),
        empty_text=_(
            "No final fidelity review with domain ratings falls in this period. Choose a longer "
            "period, or finalise a review."
        ),
    )
