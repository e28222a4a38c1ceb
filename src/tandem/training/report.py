"""The cohort's self-efficacy report: change from baseline to the end of the programme.

Per subscale and total: the paired t-test with its 95% interval and d_z
(``tandem.stats.paired_t``); Cronbach's alpha of each subscale at baseline
(``tandem.stats.cronbach_alpha``); each participant's change, drawn as a slope chart with its
table; and attendance as dose, the correlation of sessions attended with the change in total.

Participants are staff, not clients, so the client small-cell rule does not apply; the report
still shows nothing with fewer than ``MIN_PAIRS`` participants who answered both waves.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from tandem.core.figures import new_figure, to_svg
from tandem.measures.labels import localised
from tandem.measures.registry import Instrument, get_instrument
from tandem.stats import CronbachAlphaResult, PairedTResult, cronbach_alpha, paired_t
from tandem.training.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    EfficacyResponse,
    EfficacyWave,
    Participant,
    WaveKind,
)

MIN_PAIRS = 2
# Below this many pairs a correlation's interval spans most of -1 to 1: the page says so.
SMALL_N_FOR_CORRELATION = 30
TOTAL = "total"


@dataclass(frozen=True)
class ScaleChange:
    """One subscale (or the total): the paired test of end against baseline, and its alpha."""

    name: str
    label: str
    mean_before: float
    mean_after: float
    test: PairedTResult
    alpha: CronbachAlphaResult | None


@dataclass(frozen=True)
class ParticipantChange:
    participant: Participant
    before: dict[str, float]
    after: dict[str, float]
    attended: int

    @property
    def change_total(self) -> float:
        return self.after[TOTAL] - self.before[TOTAL]


@dataclass(frozen=True)
class DoseResult:
    """Pearson's r of sessions attended with the change in total score."""

    r: float
    p: float
    n: int

    @property
    def is_small(self) -> bool:
        return self.n < SMALL_N_FOR_CORRELATION


@dataclass(frozen=True)
class EfficacyReport:
    cohort: Cohort
    baseline: EfficacyWave | None
    later: EfficacyWave | None
    n_pairs: int
    scales: list[ScaleChange]
    participants: list[ParticipantChange]
    dose: DoseResult | None
    chart_svg: str

    @property
    def has_enough(self) -> bool:
        return self.n_pairs >= MIN_PAIRS


def _waves(cohort: Cohort) -> tuple[EfficacyWave | None, EfficacyWave | None]:
    """Baseline, and the end wave (the mid-point while there is no end wave)."""
    by_kind = {w.kind: w for w in cohort.efficacy_waves.filter(voided_at__isnull=True)}
    return by_kind.get(WaveKind.BASELINE), by_kind.get(WaveKind.END) or by_kind.get(
        WaveKind.MIDPOINT
    )


def attended_by(cohort: Cohort) -> Counter[int]:
    """Sessions attended by each participant (participant id -> count), voided ones left out."""
    return Counter(
        Attendance.objects.filter(
            session__cohort=cohort,
            session__voided_at__isnull=True,
            status=AttendanceStatus.PRESENT,
        ).values_list("participant_id", flat=True)
    )


def baseline_alpha(
    instrument: Instrument, responses: list[EfficacyResponse], score_name: str
) -> CronbachAlphaResult | None:
    """Alpha of one scale's items at baseline (complete rows only); None below two rows."""
    score = instrument.score(score_name)
    matrix = np.array(
        [[_number(r.answers.get(item_id)) for item_id in score.items] for r in responses],
        dtype=float,
    ).reshape(len(responses), len(score.items))
    complete = matrix[~np.isnan(matrix).any(axis=1)]
    if complete.shape[0] < 2 or complete.shape[1] < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return cronbach_alpha(complete)


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


def _dose(changes: list[ParticipantChange]) -> DoseResult | None:
    """Pearson's r of attendance with change; None when it cannot be computed."""
    if len(changes) < 3:
        return None
    attended = np.array([c.attended for c in changes], dtype=float)
    change = np.array([c.change_total for c in changes], dtype=float)
    if np.ptp(attended) == 0 or np.ptp(change) == 0:
        return None
    from scipy.stats import pearsonr  # slow to import: only where the report is built

    result = pearsonr(attended, change)
    return DoseResult(r=float(result.statistic), p=float(result.pvalue), n=len(changes))


def slope_chart(changes: list[ParticipantChange], before: str, after: str) -> str:
    """Each participant's total at baseline and after, one line each (SVG)."""
    figure = new_figure(4.0, 3.2)
    axes = figure.add_subplot()
    for change in changes:
        rising = change.change_total >= 0
        axes.plot(
            [0, 1],
            [change.before[TOTAL], change.after[TOTAL]],
            marker="o",
            color="#1f5f99" if rising else "#b34700",
            linewidth=1.2,
            alpha=0.8,
        )
    axes.set_xticks([0, 1], [before, after])
    axes.set_xlim(-0.3, 1.3)
    axes.set_ylabel(_("Total score"))
    axes.spines[["top", "right"]].set_visible(False)
    return to_svg(figure)


def efficacy_report(cohort: Cohort) -> EfficacyReport:
    """The cohort's report; empty (``has_enough`` false) below ``MIN_PAIRS`` pairs."""
    baseline, later = _waves(cohort)
    empty = EfficacyReport(cohort, baseline, later, 0, [], [], None, "")
    if baseline is None or later is None:
        return empty
    instrument = get_instrument(baseline.instrument_code)
    places = {p.pk: p for p in cohort.participants.filter(is_active=True).select_related("user")}
    first = {
        r.participant_id: r
        for r in baseline.responses.filter(participant_id__in=places).order_by("participant_id")
    }
    second = {r.participant_id: r for r in later.responses.filter(participant_id__in=places)}
    attended = attended_by(cohort)
    changes = [
        ParticipantChange(
            participant=places[pid],
            before={k: float(v) for k, v in first[pid].scores.items()},
            after={k: float(v) for k, v in second[pid].scores.items()},
            attended=attended[pid],
        )
        for pid in sorted(first.keys() & second.keys(), key=lambda p: places[p].rota_position)
    ]
    if len(changes) < MIN_PAIRS:
        return EfficacyReport(cohort, baseline, later, len(changes), [], [], None, "")
    baseline_rows = list(first.values())
    scales = []
    for score in instrument.scores:
        before = np.array([c.before[score.name] for c in changes])
        after = np.array([c.after[score.name] for c in changes])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            test = paired_t(before, after)
        scales.append(
            ScaleChange(
                name=score.name,
                label=localised(score.label),
                mean_before=float(before.mean()),
                mean_after=float(after.mean()),
                test=test,
                alpha=(
                    None
                    if score.name == TOTAL
                    else baseline_alpha(instrument, baseline_rows, score.name)
                ),
            )
        )
    chart = slope_chart(changes, baseline.get_kind_display(), later.get_kind_display())
    return EfficacyReport(
        cohort, baseline, later, len(changes), scales, changes, _dose(changes), chart
    )


@dataclass(frozen=True)
class OwnScoreChange:
    label: str
    before: float
    after: float | None

    @property
    def change(self) -> float | None:
        return None if self.after is None else self.after - self.before


def own_change(place: Participant) -> list[OwnScoreChange]:
    """A participant's own scores at baseline and after (nobody else's); empty before baseline."""
    baseline, later = _waves(place.cohort)
    if baseline is None:
        return []
    first = baseline.responses.filter(participant=place).first()
    if first is None:
        return []
    second = later.responses.filter(participant=place).first() if later else None
    instrument = get_instrument(baseline.instrument_code)
    return [
        OwnScoreChange(
            label=localised(score.label),
            before=float(first.scores[score.name]),
            after=float(second.scores[score.name]) if second else None,
        )
        for score in instrument.scores
    ]
