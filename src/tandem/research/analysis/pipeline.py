"""The fidelity → alliance → outcome study as one run on a de-identified data set.

:func:`run_analysis` does what the seed paper did by hand (PROCESS model 4 with covariates,
item-level multiple imputation, percentile bootstrap of 5,000 resamples, ICCs, hierarchical R²
change) on the long data set of a study, with ``tandem.stats`` doing every computation.

Random numbers: the run's ``seed`` gives three independent streams (:func:`seed_streams`), one
for the imputations, one for the bootstrap (spawned into one stream per completed data set, as
``stats.mediation_imputed`` spawns them) and one for the power simulation, so the same seed
on the same data gives the same numbers.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from tandem import stats
from tandem.research.analysis import pooling
from tandem.research.analysis.design import (
    BASELINE,
    TEAM,
    ModelFrame,
    X,
    Y,
    dummy_code,
    is_string_column,
    model_frame,
)
from tandem.research.analysis.result import (
    AlphaSummary,
    AnalysisResult,
    AnalysisWarning,
    IccSummary,
    Indirect,
    PowerNote,
    R2Step,
    RegressionTable,
    SampleSizes,
)
from tandem.research.analysis.settings import AnalysisSettings
from tandem.stats._bootstrap import bias_corrected_interval, percentile_interval
from tandem.stats.mediation import MediationResult

__all__ = ["Progress", "Scoring", "run_analysis", "seed_streams"]

Scoring = Callable[[npt.NDArray[np.float64]], npt.ArrayLike]
Progress = Callable[[float, str], None]

# Fritz and MacKinnon's (2007) small, halfway and medium standardised paths, as the paper
# reported its power for 0.14 and 0.26.
POWER_PATHS: Final = (0.14, 0.26, 0.39)
# Above this many clients power is approximated (joint significance) rather than simulated.
POWER_SIMULATION_MAX_N: Final = 500
# Enough for a note (Monte Carlo SE at most 0.035) in a few seconds.
POWER_SIMS = 200
POWER_RESAMPLES = 200
FEW_TEAMS: Final = 10
SMALL_N: Final = 100
# The paper's rule: an ICC above 0.05 is not low enough to ignore nesting in teams.
ICC_NOT_NEGLIGIBLE: Final = 0.05
LOW_ALPHA: Final = 0.7
FEW_COMPLETE: Final = 0.7


def seed_streams(seed: int) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """Return the independent generators for imputation, bootstrap and power of ``seed``."""
    imputation, bootstrap, power = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(3)
    )
    return imputation, bootstrap, power


def run_analysis(
    frame: pd.DataFrame,
    settings: AnalysisSettings,
    *,
    mediator_scoring: Scoring,
    mediator_items: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Run the mediation analysis of ``settings`` on the long data set ``frame``.

    ``mediator_scoring`` turns an (n, items) array of the mediator's answers (columns in the
    instrument's item order, NaN missing) into n scores. ``mediator_items`` are the item ids in
    that order; by default the instrument definition's. ``progress(fraction, message)`` is
    called at each step; the messages are English sources for ``gettext``.

    Raises ``ValueError`` in plain words when the data cannot give the model (a column or wave
    missing, too few clients, a constant or collinear variable).
    """
    say = progress or _silent
    say(0.0, gettext_noop("Reading the data set"))
    item_ids = (
        tuple(mediator_items)
        if mediator_items is not None
        else _instrument_items(settings.mediator_instrument)
    )
    model = model_frame(frame, settings, item_ids)
    notes: list[AnalysisWarning] = []
    if not model.outcome_after_mediator:
        notes.append(AnalysisWarning("outcome_not_after_mediator", {}))
    wide = model.frame
    items = list(model.items)
    observed_any = wide[[X, *items, Y]].notna().any(axis=1) & wide[TEAM].notna()
    with_data = wide[observed_any]
    design, covariate_names, n_dropped = _design(with_data, model, notes)
    observed_score = _score(mediator_scoring, design[items])
    design_complete = (
        np.isfinite(design[X].to_numpy())
        & np.isfinite(observed_score)
        & np.isfinite(design[Y].to_numpy())
    )
    if model.has_baseline:
        design_complete &= np.isfinite(design[BASELINE].to_numpy())
    n_complete = int(design_complete.sum())
    imputation_gen, bootstrap_gen, power_gen = seed_streams(settings.seed)
    hc = "CR2" if settings.cluster_by_team else None

    say(0.1, gettext_noop("Checking reliability and nesting"))
    icc = _iccs(with_data, mediator_scoring, items)
    alpha = _alpha(design[items])

    fit_kwargs: dict[str, Any] = {
        "n_resamples": settings.resamples,
        "hc": hc,
        "ci_method": settings.bootstrap,
    }
    with warnings.catch_warnings():
        # The few-clusters and degenerate-fit warnings of tandem.stats are put into words below.
        warnings.simplefilter("ignore", UserWarning)
        if settings.imputations == 0:
            say(0.2, gettext_noop("Fitting the mediation model"))
            used = design[design_complete]
            if len(used) < len(covariate_names) + 5:
                raise ValueError(f"only {len(used)} clients have every variable of the model")
            m = observed_score[design_complete]
            fit = _fit(
                used, m, covariate_names, settings, bootstrap_gen, fit_kwargs, used[TEAM].to_numpy()
            )
            say(0.7, gettext_noop("Hierarchical regression"))
            r2_steps = _r2_steps_single(used, m, covariate_names)
            result_paths = {name: pooling.single_path(fit, name) for name in _PATHS}
            indirect = _indirect_single(fit)
            tables = _tables_single(fit, len(used))
            n_imputed = n_imputed_values = 0
            n_used = len(used)
            fits = [fit]
        else:
            say(0.1, gettext_noop("Imputing missing answers"))
            columns = [X, *items, Y, *([BASELINE] if model.has_baseline else [])]
            columns += [c for c in covariate_names if c != BASELINE]
            try:
                imputation = stats.impute(
                    design[columns], m=settings.imputations, rng=imputation_gen
                )
            except ValueError as exc:
                raise ValueError(f"multiple imputation failed: {exc}") from None
            missing_cells = design[columns].isna()
            n_imputed = int(missing_cells.any(axis=1).sum())
            n_imputed_values = int(missing_cells.to_numpy().sum())
            n_used = len(design)
            fits = []
            teams = design[TEAM].to_numpy()
            streams = bootstrap_gen.spawn(settings.imputations)
            scores: list[npt.NDArray[np.float64]] = []
            for i, (completed, stream) in enumerate(zip(imputation.datasets, streams, strict=True)):
                say(
                    0.4 + 0.45 * i / settings.imputations,
                    gettext_noop("Fitting the mediation model on each imputed data set"),
                )
                m = _score(mediator_scoring, completed[items])
                scores.append(m)
                fits.append(
                    _fit(completed, m, covariate_names, settings, stream, fit_kwargs, teams)
                )
            say(0.85, gettext_noop("Hierarchical regression"))
            r2_steps = _r2_steps_pooled(imputation.datasets, scores, covariate_names)
            result_paths = {name: pooling.pool_path(fits, name) for name in _PATHS}
            indirect = _indirect_pooled(fits, settings)
            tables = _tables_pooled(fits, n_used)

    say(0.9, gettext_noop("Power"))
    power = _power(n_used, power_gen)
    sizes = SampleSizes(
        enrolled=len(wide),
        with_data=len(with_data),
        complete=n_complete,
        used=n_used,
        imputed=n_imputed,
        imputed_values=n_imputed_values,
        dropped_covariates=n_dropped,
        teams=int(with_data[TEAM].nunique()),
    )
    notes.extend(_warnings(settings, sizes, fits, icc, alpha, power))
    say(1.0, gettext_noop("Done"))
    return AnalysisResult(
        settings=settings,
        mediator_items=tuple(item_ids),
        n=sizes,
        hc=hc,
        a=result_paths["a"],
        b=result_paths["b"],
        c=result_paths["c"],
        c_prime=result_paths["c_prime"],
        indirect=indirect,
        models=tables,
        icc=icc,
        alpha=alpha,
        r2_change=r2_steps,
        power=power,
        warnings=tuple(notes),
    )


_PATHS: Final = ("a", "b", "c", "c_prime")


def gettext_noop(message: str) -> str:
    """Mark a progress message for translation (the caller translates it).

    Django's own ``gettext_noop`` reads the settings; the pipeline runs without them too.
    """
    return message


def _silent(fraction: float, message: str) -> None:
    """Progress nobody listens to."""


def _instrument_items(code: str) -> tuple[str, ...]:
    # Imported here: the registry loads the instrument definitions, which the pure pipeline
    # (and its tests, which pass the items) does not need.
    from tandem.measures.registry import get_instrument

    return get_instrument(code).item_ids


def _score(scoring: Scoring, items: pd.DataFrame) -> npt.NDArray[np.float64]:
    values = np.asarray(scoring(items.to_numpy(dtype=np.float64)), dtype=np.float64).ravel()
    if values.shape[0] != len(items):
        raise ValueError(
            f"mediator_scoring returned {values.shape[0]} scores for {len(items)} clients"
        )
    return values


def _design(
    rows: pd.DataFrame, model: ModelFrame, notes: list[AnalysisWarning]
) -> tuple[pd.DataFrame, list[str], int]:
    """Return the rows with complete covariates, numeric columns only, and covariate names.

    Covariates are not imputed: clients missing one are left out (and counted). String
    covariates are dummy-coded on the clients kept; a covariate constant among them is
    dropped with a warning.
    """
    covariates = list(model.covariates)
    kept = rows[rows[covariates].notna().all(axis=1)] if covariates else rows
    n_dropped = int(len(rows) - len(kept))
    design = kept.drop(columns=covariates)
    names: list[str] = [BASELINE] if model.has_baseline else []
    for name in covariates:
        values = kept[name]
        if is_string_column(values):
            dummies, _reference = dummy_code(values, name)
            columns = dummies
        else:
            columns = {name: values.astype(np.float64)}
        if not columns or all(column.nunique() < 2 for column in columns.values()):
            notes.append(AnalysisWarning("covariate_constant", {"covariate": name}))
            continue
        for label, column in columns.items():
            if column.nunique() < 2:
                continue
            design[label] = column.to_numpy(dtype=np.float64)
            names.append(label)
    return design, names, n_dropped


def _fit(
    data: pd.DataFrame,
    m: npt.NDArray[np.float64],
    covariate_names: Sequence[str],
    settings: AnalysisSettings,
    rng: np.random.Generator,
    kwargs: dict[str, Any],
    teams: npt.NDArray[Any],
) -> MediationResult:
    covariates = {name: data[name].to_numpy(dtype=np.float64) for name in covariate_names}
    try:
        return stats.mediation(
            data[X].to_numpy(dtype=np.float64),
            m,
            data[Y].to_numpy(dtype=np.float64),
            covariates or None,
            rng=rng,
            cluster=teams if settings.cluster_by_team else None,
            **kwargs,
        )
    except ValueError as exc:
        raise ValueError(f"the mediation model cannot be fitted: {exc}") from None


def _indirect_single(fit: MediationResult) -> Indirect:
    return Indirect(
        estimate=fit.indirect,
        boot_se=fit.boot_se,
        ci_low=fit.ci_low,
        ci_high=fit.ci_high,
        std=fit.indirect_std,
        std_ci_low=fit.indirect_std_ci_low,
        std_ci_high=fit.indirect_std_ci_high,
        ci_method=fit.ci_method,
        n_draws=int(fit.boot_indirect.size),
        n_replaced=fit.n_replaced,
    )


def _indirect_pooled(fits: Sequence[MediationResult], settings: AnalysisSettings) -> Indirect:
    """The mean a*b and the interval of the stacked draws (Wu & Jia 2013; "MI Boot")."""
    boot = np.concatenate([fit.boot_indirect for fit in fits])
    boot_std = np.concatenate([fit.boot_indirect_std for fit in fits])
    estimate = float(np.mean([fit.indirect for fit in fits]))
    if settings.bootstrap == "bc":
        ci_low, ci_high = bias_corrected_interval(boot, estimate)
    else:
        ci_low, ci_high = percentile_interval(boot)
    std_low, std_high = percentile_interval(boot_std)
    finite = boot[np.isfinite(boot)]
    return Indirect(
        estimate=estimate,
        boot_se=float(np.std(finite, ddof=1)) if finite.size > 1 else math.nan,
        ci_low=ci_low,
        ci_high=ci_high,
        std=float(np.mean([fit.indirect_std for fit in fits])),
        std_ci_low=std_low,
        std_ci_high=std_high,
        ci_method=settings.bootstrap,
        n_draws=int(boot.size),
        n_replaced=sum(fit.n_replaced for fit in fits),
    )


_MODELS: Final = (("mediator", "model_m"), ("outcome", "model_y"), ("total", "model_total"))


def _tables_single(fit: MediationResult, n: int) -> tuple[RegressionTable, ...]:
    return tuple(pooling.single_table(name, getattr(fit, field), n) for name, field in _MODELS)


def _tables_pooled(fits: Sequence[MediationResult], n: int) -> tuple[RegressionTable, ...]:
    return tuple(
        pooling.pool_table(name, [getattr(fit, field) for fit in fits], n)
        for name, field in _MODELS
    )


def _r2_models(
    data: pd.DataFrame, m: npt.NDArray[np.float64], covariate_names: Sequence[str]
) -> list[tuple[str, stats.R2ChangeResult]]:
    """The steps covariates → + exposure → + mediator on one data set."""
    y = data[Y].to_numpy(dtype=np.float64)
    base = data[list(covariate_names)].to_numpy(dtype=np.float64).reshape(len(data), -1)
    x = data[X].to_numpy(dtype=np.float64)
    steps: list[tuple[str, stats.R2ChangeResult]] = []
    if base.shape[1]:
        steps.append(("covariates", stats.r2_change(y, np.empty((len(y), 0)), base)))
    steps.append(("exposure", stats.r2_change(y, base, x)))
    steps.append(("mediator", stats.r2_change(y, np.column_stack([base, x]), m)))
    return steps


def _r2_steps_single(
    data: pd.DataFrame, m: npt.NDArray[np.float64], covariate_names: Sequence[str]
) -> tuple[R2Step, ...]:
    return tuple(
        R2Step(
            step=step,
            r2=res.r2_full,
            delta_r2=res.delta_r2,
            f=res.f,
            df1=res.df1,
            df2=float(res.df2),
            p=res.p,
        )
        for step, res in _r2_models(data, m, covariate_names)
    )


def _r2_steps_pooled(
    datasets: Sequence[pd.DataFrame],
    scores: Sequence[npt.NDArray[np.float64]],
    covariate_names: Sequence[str],
) -> tuple[R2Step, ...]:
    per_data = [
        _r2_models(data, m, covariate_names) for data, m in zip(datasets, scores, strict=True)
    ]
    out = []
    before = 0.0
    for j, (step, _first) in enumerate(per_data[0]):
        pooled = pooling.pool_r2_step(step, [steps[j][1] for steps in per_data], before)
        out.append(pooled)
        before = pooled.r2
    return tuple(out)


def _iccs(
    with_data: pd.DataFrame,
    scoring: Scoring,
    items: Sequence[str],
) -> tuple[IccSummary, ...]:
    """ICC(1) of the mediator score and of the outcome by team, on observed values."""
    mediator = pd.Series(_score(scoring, with_data[list(items)]), index=with_data.index)
    out = []
    for variable, values in (("mediator", mediator), ("outcome", with_data[Y])):
        finite = values[np.isfinite(values.to_numpy(dtype=np.float64))]
        teams = with_data.loc[finite.index, TEAM]
        try:
            res = stats.icc(finite.to_numpy(dtype=np.float64), teams.to_numpy())
        except ValueError:
            continue
        out.append(
            IccSummary(
                variable=variable,
                icc1=res.icc1,
                icc2=res.icc2,
                f=res.f,
                p=res.p,
                n=res.n,
                n_groups=res.n_groups,
            )
        )
    return tuple(out)


def _alpha(items: pd.DataFrame) -> AlphaSummary | None:
    complete = items.dropna()
    if items.shape[1] < 2 or len(complete) < 3:
        return None
    res = stats.cronbach_alpha(complete.to_numpy(dtype=np.float64))
    return AlphaSummary(
        alpha=res.alpha, ci_low=res.ci_low, ci_high=res.ci_high, n=res.n, n_items=res.n_items
    )


def _power(n: int, rng: np.random.Generator) -> tuple[PowerNote, ...]:
    """Power at this n for small, halfway and medium standardised paths (Fritz & MacKinnon).

    Simulated with ``stats.mediation_power`` up to ``POWER_SIMULATION_MAX_N`` clients; beyond,
    the joint significance test's power, which the percentile bootstrap's matches closely and
    which is then near 1 for all but the smallest paths.
    """
    notes = []
    if n < 4:
        return ()
    for path, stream in zip(POWER_PATHS, rng.spawn(len(POWER_PATHS)), strict=True):
        if n <= POWER_SIMULATION_MAX_N:
            res = stats.mediation_power(
                path, path, n, n_sims=POWER_SIMS, n_resamples=POWER_RESAMPLES, rng=stream
            )
            notes.append(PowerNote(path, path, n, res.power, res.mc_se, "simulation"))
        else:
            z = special.ndtri(0.975)
            one = float(special.ndtr(path * math.sqrt(n) - z))
            notes.append(PowerNote(path, path, n, one * one, None, "approximation"))
    return tuple(notes)


def _warnings(
    settings: AnalysisSettings,
    n: SampleSizes,
    fits: Sequence[MediationResult],
    icc: Sequence[IccSummary],
    alpha: AlphaSummary | None,
    power: Sequence[PowerNote],
) -> list[AnalysisWarning]:
    out = []
    if n.dropped_covariates:
        out.append(AnalysisWarning("covariate_missing", {"n": n.dropped_covariates}))
    if settings.cluster_by_team and n.teams < FEW_TEAMS:
        out.append(AnalysisWarning("few_teams", {"teams": n.teams}))
    if n.used < SMALL_N:
        out.append(AnalysisWarning("small_sample", {"n": n.used}))
    if settings.imputations == 0 and n.with_data and n.complete < FEW_COMPLETE * n.with_data:
        out.append(
            AnalysisWarning(
                "few_complete",
                {"complete": n.complete, "with_data": n.with_data},
            )
        )
    if not settings.cluster_by_team:
        for summary in icc:
            if summary.icc1 > ICC_NOT_NEGLIGIBLE:
                out.append(
                    AnalysisWarning(
                        "nesting_ignored", {"variable": summary.variable, "icc": summary.icc1}
                    )
                )
    if alpha is not None and alpha.alpha < LOW_ALPHA:
        out.append(AnalysisWarning("low_alpha", {"alpha": alpha.alpha}))
    if any(fit.warnings for fit in fits):
        out.append(AnalysisWarning("degenerate_fit", {}))
    replaced = sum(fit.n_replaced for fit in fits)
    if replaced:
        out.append(AnalysisWarning("replaced_resamples", {"n": replaced}))
    halfway = [note for note in power if note.a == POWER_PATHS[1]]
    if halfway and halfway[0].power < 0.8:
        out.append(AnalysisWarning("low_power", {"n": n.used, "power": halfway[0].power}))
    return out
