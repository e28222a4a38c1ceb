"""The pieces of an analysis report: path diagram, tables, methods paragraph, runs over time.

Pure functions of an :class:`AnalysisResult`: no database, no request. Numbers go through a
``number(value, decimals)`` formatter the caller passes (``django.utils.formats.number_format``
for the reader's locale); words through ``gettext``, so the report follows the active
language. Figures are SVG with their text as text, and every figure has its table.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from tandem.core.figures import new_figure
from tandem.core.svg import without_inline_styles
from tandem.research.analysis.result import AnalysisResult, AnalysisWarning, RegressionTable

__all__ = [
    "NumberFormat",
    "PathLabels",
    "RunPoint",
    "TableView",
    "indirect_over_time",
    "methods_paragraph",
    "path_diagram_svg",
    "plain_number",
    "power_table",
    "r2_change_table",
    "regression_tables",
    "reliability_table",
    "sample_size_table",
    "warning_texts",
]

NumberFormat = Callable[[float, int], str]
DASH = "\u2013"


def plain_number(value: float, decimals: int) -> str:
    """Format without localisation (a dash for a missing value)."""
    if not math.isfinite(value):
        return DASH
    return f"{value:.{decimals}f}"


@dataclass(frozen=True)
class PathLabels:
    """What the boxes of the diagram say (translated names of the three variables)."""

    exposure: str
    mediator: str
    outcome: str


@dataclass(frozen=True)
class TableView:
    """A table ready for a template: a caption, column headings, rows of text, a note."""

    caption: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    note: str = ""


def _labels(result: AnalysisResult, labels: PathLabels | None) -> PathLabels:
    if labels is not None:
        return labels
    settings = result.settings
    return PathLabels(
        exposure=_("Fidelity exposure (%(days)s days)") % {"days": settings.exposure_days},
        mediator=settings.mediator_instrument.upper(),
        outcome=f"{settings.outcome_instrument.upper()} {settings.outcome_score}",
    )


def _p(value: float, number: NumberFormat) -> str:
    if not math.isfinite(value):
        return DASH
    if value < 0.001:
        return "< " + number(0.001, 3)
    return number(value, 3)


def _interval(low: float, high: float, number: NumberFormat, decimals: int = 3) -> str:
    return f"[{number(low, decimals)}, {number(high, decimals)}]"


def path_diagram_svg(
    result: AnalysisResult,
    *,
    number: NumberFormat = plain_number,
    labels: PathLabels | None = None,
) -> str:
    """The mediation model as a diagram: a, b, c' (and c), and the indirect effect with CI."""
    names = _labels(result, labels)
    level = _("95% CI")
    figure = new_figure(7.0, 3.6)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.set_xlim(0, 10)
    axes.set_ylim(0, 6)
    axes.axis("off")
    boxes = {"x": (1.6, 2.4), "m": (5.0, 4.8), "y": (8.4, 2.4)}
    for key, text in (("x", names.exposure), ("m", names.mediator), ("y", names.outcome)):
        cx, cy = boxes[key]
        axes.add_patch(
            FancyBboxPatch(
                (cx - 1.45, cy - 0.45),
                2.9,
                0.9,
                boxstyle="round,pad=0.05",
                facecolor="#ffffff",
                edgecolor="#1f2937",
                linewidth=1.0,
            )
        )
        axes.text(cx, cy, text, ha="center", va="center", fontsize=8, wrap=True)
    arrow = {"arrowstyle": "-|>", "color": "#1f2937", "linewidth": 1.0}
    axes.annotate("", xy=(4.1, 4.4), xytext=(2.2, 2.9), arrowprops=arrow)
    axes.annotate("", xy=(7.8, 2.9), xytext=(5.9, 4.4), arrowprops=arrow)
    axes.annotate("", xy=(6.9, 2.4), xytext=(3.1, 2.4), arrowprops=arrow)

    def path_text(symbol: str, name: str) -> str:
        path = getattr(result, name)
        return (
            f"{symbol} = {number(path.estimate, 3)} {_interval(path.ci_low, path.ci_high, number)}"
        )

    axes.text(2.3, 3.9, path_text("a", "a"), ha="right", va="center", fontsize=8)
    axes.text(7.7, 3.9, path_text("b", "b"), ha="left", va="center", fontsize=8)
    axes.text(5.0, 2.05, path_text("c\u2032", "c_prime"), ha="center", va="top", fontsize=8)
    axes.text(
        5.0, 1.6, f"({path_text('c', 'c')})", ha="center", va="top", fontsize=7, color="#4b5563"
    )
    indirect = result.indirect
    axes.text(
        5.0,
        0.95,
        _("Indirect effect ab = %(value)s, %(level)s %(interval)s")
        % {
            "value": number(indirect.estimate, 3),
            "level": level,
            "interval": _interval(indirect.ci_low, indirect.ci_high, number),
        },
        ha="center",
        va="center",
        fontsize=8,
        fontweight="bold",
    )
    axes.text(
        5.0,
        0.45,
        _("Completely standardised indirect effect = %(value)s, %(level)s %(interval)s")
        % {
            "value": number(indirect.std, 3),
            "level": level,
            "interval": _interval(indirect.std_ci_low, indirect.std_ci_high, number),
        },
        ha="center",
        va="center",
        fontsize=8,
    )
    return _svg(figure)


def _svg(figure: Figure) -> str:
    """The figure as inline SVG, as ``core.figures.to_svg`` draws it, with text kept as text.

    Text stays text (selectable, searchable, read by screen readers); a fixed hash salt and no
    date in the metadata make the same result draw the same SVG.
    """
    with matplotlib.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "tandem-research", "text.parse_math": False}
    ):
        for text in figure.findobj(Text):
            text.set_parse_math(False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    return without_inline_styles(svg[svg.index("<svg") :])


def _term(term: str, result: AnalysisResult, labels: PathLabels, extra: Mapping[str, str]) -> str:
    if term in extra:
        return extra[term]
    known = {
        "constant": _("Constant"),
        "x": labels.exposure,
        "m": labels.mediator,
        "baseline": _("Baseline %(outcome)s") % {"outcome": labels.outcome},
    }
    return known.get(term, term)


def regression_tables(
    result: AnalysisResult,
    *,
    number: NumberFormat = plain_number,
    labels: PathLabels | None = None,
    term_labels: Mapping[str, str] | None = None,
) -> list[TableView]:
    """The three models (mediator, outcome, total effect) as tables of text rows."""
    names = _labels(result, labels)
    extra = dict(term_labels or {})
    pooled = result.settings.imputations > 0
    captions = {
        "mediator": _("Model of %(name)s") % {"name": names.mediator},
        "outcome": _("Model of %(name)s") % {"name": names.outcome},
        "total": _("Total effect on %(name)s") % {"name": names.outcome},
    }
    columns = [
        _("Term"),
        _("Coefficient"),
        _("SE"),
        "t",
        "df",
        "p",
        _("95% CI"),
    ]
    if pooled:
        columns.append(_("FMI"))
    out = []
    for table in result.models:
        rows = []
        for row in table.rows:
            cells = [
                _term(row.term, result, names, extra),
                number(row.coef, 3),
                number(row.se, 3),
                number(row.t, 2),
                number(row.df, 1),
                _p(row.p, number),
                _interval(row.ci_low, row.ci_high, number),
            ]
            if pooled:
                cells.append(number(row.fmi if row.fmi is not None else math.nan, 2))
            rows.append(tuple(cells))
        out.append(
            TableView(
                caption=captions.get(table.model, table.model),
                columns=tuple(columns),
                rows=rows,
                note=_model_note(table, number),
            )
        )
    return out


def _model_note(table: RegressionTable, number: NumberFormat) -> str:
    if table.f is None or table.f_p is None:
        return _("R² = %(r2)s (pooled over imputations), n = %(n)s") % {
            "r2": number(table.r2, 3),
            "n": table.n,
        }
    return _("R² = %(r2)s, F(%(df1)s, %(df2)s) = %(f)s, p %(p)s, n = %(n)s") % {
        "r2": number(table.r2, 3),
        "df1": table.df1,
        "df2": table.df2,
        "f": number(table.f, 2),
        "p": _p_phrase(table.f_p, number),
        "n": table.n,
    }


def _p_phrase(value: float, number: NumberFormat) -> str:
    text = _p(value, number)
    return text if text.startswith("<") else f"= {text}"


def sample_size_table(result: AnalysisResult) -> TableView:
    """Clients at each step, from enrolment to the analysis."""
    n = result.n
    rows = [
        (_("Enrolled"), str(n.enrolled)),
        (_("With data for the model"), str(n.with_data)),
        (_("Left out: a covariate missing"), str(n.dropped_covariates)),
        (_("With every variable observed"), str(n.complete)),
    ]
    if result.settings.imputations:
        rows.append((_("With at least one value imputed"), str(n.imputed)))
    rows.append((_("Analysed"), str(n.used)))
    rows.append((_("Teams"), str(n.teams)))
    return TableView(caption=_("Clients at each step"), columns=(_("Step"), _("n")), rows=rows)


def reliability_table(
    result: AnalysisResult,
    *,
    number: NumberFormat = plain_number,
    labels: PathLabels | None = None,
) -> TableView:
    """ICC(1) by team of the mediator and the outcome, and Cronbach's alpha of the mediator."""
    names = _labels(result, labels)
    label = {"mediator": names.mediator, "outcome": names.outcome}
    rows: list[tuple[str, ...]] = [
        (
            _("ICC(1) by team: %(name)s") % {"name": label.get(summary.variable, summary.variable)},
            number(summary.icc1, 3),
            str(summary.n),
        )
        for summary in result.icc
    ]
    if result.alpha is not None:
        rows.append(
            (
                _("Cronbach's alpha: %(name)s (%(items)s items)")
                % {"name": names.mediator, "items": result.alpha.n_items},
                f"{number(result.alpha.alpha, 3)} "
                f"{_interval(result.alpha.ci_low, result.alpha.ci_high, number)}",
                str(result.alpha.n),
            )
        )
    return TableView(
        caption=_("Nesting in teams and reliability"),
        columns=(_("Statistic"), _("Value"), _("n")),
        rows=rows,
        note=_("An ICC(1) above 0.05 is not low enough to ignore the nesting of clients in teams."),
    )


def r2_change_table(
    result: AnalysisResult,
    *,
    number: NumberFormat = plain_number,
    labels: PathLabels | None = None,
) -> TableView:
    """The hierarchical regression of the outcome: covariates, + exposure, + mediator."""
    names = _labels(result, labels)
    step_label = {
        "covariates": _("Covariates"),
        "exposure": _("+ %(name)s") % {"name": names.exposure},
        "mediator": _("+ %(name)s") % {"name": names.mediator},
    }
    rows = [
        (
            step_label.get(step.step, step.step),
            number(step.r2, 3),
            number(step.delta_r2, 3),
            f"F({step.df1}, {number(step.df2, 0)}) = {number(step.f, 2)}",
            _p(step.p, number),
        )
        for step in result.r2_change
    ]
    return TableView(
        caption=_("Hierarchical regression of %(name)s") % {"name": names.outcome},
        columns=(_("Step"), "R²", "ΔR²", "F", "p"),
        rows=rows,
    )


def power_table(result: AnalysisResult, *, number: NumberFormat = plain_number) -> TableView:
    """Power at this n for small, halfway and medium standardised paths."""
    rows = [
        (
            number(note.a, 2),
            number(note.power, 2),
            _("simulation") if note.method == "simulation" else _("approximation"),
        )
        for note in result.power
    ]
    return TableView(
        caption=_("Power to detect the indirect effect with %(n)s clients") % {"n": result.n.used},
        columns=(_("Standardised a and b"), _("Power"), _("Method")),
        rows=rows,
        note=_(
            "Fritz and MacKinnon's small (0.14), halfway (0.26) and medium (0.39) paths; "
            "a power of 0.80 is the usual aim."
        ),
    )


def warning_texts(result: AnalysisResult, *, number: NumberFormat = plain_number) -> list[str]:
    """The run's warnings in plain words, in the active language."""
    return [_warning_text(warning, number) for warning in result.warnings]


def _warning_text(warning: AnalysisWarning, number: NumberFormat) -> str:
    params = warning.params
    code = warning.code
    if code == "few_teams":
        return _(
            "Only %(teams)s teams: with fewer than 10 teams the cluster bootstrap interval "
            "tends to be too narrow; read it with caution."
        ) % {"teams": params["teams"]}
    if code == "small_sample":
        return _(
            "Only %(n)s clients were analysed: the estimates are imprecise and the model "
            "may be underpowered."
        ) % {"n": params["n"]}
    if code == "few_complete":
        return _(
            "Only %(complete)s of the %(with_data)s clients with data have every variable; "
            "complete-case results may be biased. Consider multiple imputation."
        ) % {"complete": params["complete"], "with_data": params["with_data"]}
    if code == "nesting_ignored":
        return _(
            "The ICC(1) of the %(variable)s by team is %(icc)s, above 0.05: nesting in teams "
            "is not negligible. Consider the cluster bootstrap by team."
        ) % {
            "variable": {"mediator": _("mediator"), "outcome": _("outcome")}.get(
                params["variable"], params["variable"]
            ),
            "icc": number(params["icc"], 3),
        }
    if code == "low_alpha":
        return _("Cronbach's alpha of the mediator's items is %(alpha)s, below 0.70.") % {
            "alpha": number(params["alpha"], 2)
        }
    if code == "covariate_missing":
        return _("%(n)s clients were left out because a covariate was missing.") % {
            "n": params["n"]
        }
    if code == "covariate_constant":
        return _(
            "The covariate %(covariate)s takes a single value among the clients analysed "
            "and was left out."
        ) % {"covariate": params["covariate"]}
    if code == "outcome_not_after_mediator":
        return _(
            "The outcome is not measured after the mediator: the model cannot show that the "
            "mediator comes first."
        )
    if code == "degenerate_fit":
        return _(
            "A model fits almost perfectly: its standard errors and p-values may be "
            "meaningless. Is the outcome computed from the predictors?"
        )
    if code == "replaced_resamples":
        return _(
            "%(n)s bootstrap resamples had no variation in exposure or the mediator and were "
            "drawn again."
        ) % {"n": params["n"]}
    if code == "low_power":
        return _(
            "With %(n)s clients the power to detect an indirect effect of halfway-sized "
            "paths (0.26) is %(power)s, below 0.80: a null result says little."
        ) % {"n": params["n"], "power": number(params["power"], 2)}
    return code


def methods_paragraph(result: AnalysisResult, *, labels: PathLabels | None = None) -> str:
    """The methods, in words, from the settings and the numbers of clients."""
    settings = result.settings
    names = _labels(result, labels)
    n = result.n
    parts = [
        _(
            "The indirect effect of %(exposure)s on %(outcome)s through %(mediator)s was "
            "estimated with a simple mediation model (PROCESS model 4) fitted by ordinary "
            "least squares."
        )
        % {"exposure": names.exposure, "outcome": names.outcome, "mediator": names.mediator},
        _(
            "Exposure was the mean daily fidelity of each client's team, interpolated "
            "linearly between fidelity reviews, over the %(days)s days before the mediator "
            "was measured."
        )
        % {"days": settings.exposure_days},
    ]
    covariates = list(settings.covariates)
    if settings.baseline_wave is not None:
        covariates.insert(0, _("the baseline score of the outcome"))
    if covariates:
        parts.append(
            _("The models included %(count)s covariates: %(names)s.")
            % {"count": len(covariates), "names": ", ".join(covariates)}
        )
    parts.append(
        _(
            "Of %(enrolled)s enrolled clients, %(with_data)s had data for the model and "
            "%(complete)s had every variable."
        )
        % {"enrolled": n.enrolled, "with_data": n.with_data, "complete": n.complete}
    )
    if settings.imputations:
        parts.append(
            _(
                "Missing answers were imputed at the item level by chained equations with "
                "predictive mean matching (%(m)s imputations; %(imputed)s clients had at "
                "least one value imputed); the mediator was scored in each completed data "
                "set, the paths were pooled by Rubin's rules, and the %(used)s clients were "
                "analysed."
            )
            % {"m": settings.imputations, "imputed": n.imputed, "used": n.used}
        )
    else:
        parts.append(_("The %(used)s complete cases were analysed.") % {"used": n.used})
    method = {
        "percentile": _("percentile"),
        "bc": _("bias-corrected"),
        "bca": _("bias-corrected and accelerated"),
    }[settings.bootstrap]
    if settings.imputations:
        parts.append(
            _(
                "The 95%% confidence interval of the indirect effect is the %(method)s "
                "interval of %(resamples)s bootstrap resamples of each imputed data set, "
                "stacked."
            )
            % {"method": method, "resamples": settings.resamples}
        )
    else:
        parts.append(
            _(
                "The 95%% confidence interval of the indirect effect is the %(method)s "
                "interval of %(resamples)s bootstrap resamples."
            )
            % {"method": method, "resamples": settings.resamples}
        )
    if settings.cluster_by_team:
        parts.append(
            _(
                "Bootstrap resamples drew whole teams (%(teams)s teams), and the paths have "
                "cluster-robust (CR2) standard errors."
            )
            % {"teams": n.teams}
        )
    parts.append(
        _(
            "The completely standardised indirect effect is ab multiplied by the ratio of the "
            "standard deviations of exposure and outcome. Intraclass correlations by team, "
            "Cronbach's alpha of the mediator's items and a hierarchical regression "
            "(covariates, then exposure, then the mediator) are reported. Random numbers "
            "came from seed %(seed)s, so the run can be repeated exactly."
        )
        % {"seed": settings.seed}
    )
    return " ".join(parts)


@dataclass(frozen=True)
class RunPoint:
    """One finished run: when, and its indirect effect with interval."""

    label: str
    when: date
    estimate: float
    ci_low: float
    ci_high: float
    n: int


def indirect_over_time(
    points: Sequence[RunPoint], *, number: NumberFormat = plain_number
) -> tuple[str, TableView]:
    """The indirect effect and its interval across runs: an SVG chart and its table.

    The chart is an empty string when there is no run to draw.
    """
    ordered = sorted(points, key=lambda point: point.when)
    table = TableView(
        caption=_("Indirect effect across runs"),
        columns=(_("Run"), _("Date"), _("Indirect effect"), _("95% CI"), _("n")),
        rows=[
            (
                point.label,
                point.when.isoformat(),
                number(point.estimate, 3),
                _interval(point.ci_low, point.ci_high, number),
                str(point.n),
            )
            for point in ordered
        ],
    )
    if not ordered:
        return "", table
    figure = new_figure(6.0, 2.8)
    axes = figure.add_subplot()
    positions = list(range(len(ordered)))
    estimates = [point.estimate for point in ordered]
    lower = [point.estimate - point.ci_low for point in ordered]
    upper = [point.ci_high - point.estimate for point in ordered]
    axes.axhline(0.0, color="#9ca3af", linewidth=0.8)
    axes.errorbar(
        positions,
        estimates,
        yerr=[lower, upper],
        fmt="o",
        color="#1d4ed8",
        ecolor="#1d4ed8",
        capsize=3,
        markersize=4,
    )
    axes.set_xticks(positions, [point.when.isoformat() for point in ordered], fontsize=7)
    axes.set_ylabel(_("Indirect effect (95% CI)"), fontsize=8)
    axes.tick_params(axis="y", labelsize=7)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number(value, 2)))
    axes.set_xlim(-0.5, len(ordered) - 0.5)
    figure.tight_layout()
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    return _svg(figure), table
