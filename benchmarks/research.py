"""Time the research analysis run on a large synthetic study, and pingouin doing the same fits.

Run from the repository root::

    PYTHONPATH=src .venv/bin/python benchmarks/research.py [N_CLIENTS] [N_TEAMS] [PINGOUIN_FITS]

(defaults: 50,000 clients in 200 teams; pingouin timed on 2 completed data sets and scaled to
all 20, since its bootstrap fits one model per resample in Python.)

Steps timed:

1. the data set: :func:`tandem.synth.smcm_study` laid out as the research data set (the
   tests' ``long_frame``), one row per client and wave;
2. the full run, :func:`tandem.research.analysis.pipeline.run_analysis` with the paper's
   settings: 20 item-level imputations, 5,000 resamples, cluster bootstrap by team, nine
   covariates, ICCs, alpha, R² change and the power note;
3. the mediation fits alone: ``stats.mediation`` on each completed data set (what the run
   does after imputing), and ``pingouin.mediation_analysis`` on the same data sets, both with
   the baseline and the numeric covariates and 5,000 resamples of rows (pingouin has no
   cluster bootstrap); these data sets are imputed without the dummy-coded covariates, so
   ``stats.impute alone`` is faster than the run's imputation step.

Prints the times and the ratio pingouin / tandem for the fits. The target is the whole run
(steps 1 and 2) under 60 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.research.smcm_frame import (  # noqa: E402  # the tests' layout of the data set
    EXTRA_COVARIATES,
    RPRS,
    direct_frame,
    long_frame,
    rprs_0_100,
)

from tandem import stats  # noqa: E402
from tandem.research.analysis import pipeline  # noqa: E402
from tandem.research.analysis.settings import AnalysisSettings  # noqa: E402
from tandem.synth import ITEMS, smcm_study  # noqa: E402

M = 20
RESAMPLES = 5000
COVARIATES = ("age_years", "gender", "programme", *EXTRA_COVARIATES)
NUMERIC = ("age_years", *EXTRA_COVARIATES)


def main() -> None:
    n_clients = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    n_teams = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    pingouin_fits = int(sys.argv[3]) if len(sys.argv) > 3 else 2

    start = time.perf_counter()
    study = smcm_study(n_clients=n_clients, n_teams=n_teams, rng=2026)
    frame = long_frame(study)
    build = time.perf_counter() - start
    print(f"data set: {len(frame):,} rows ({n_clients:,} clients, {n_teams} teams) {build:.1f} s")

    settings = AnalysisSettings(
        mediator_instrument="rprs",
        mediator_wave="m4_5",
        outcome_instrument="qoli20",
        outcome_wave="m9",
        baseline_wave="baseline",
        covariates=COVARIATES,
        imputations=M,
        resamples=RESAMPLES,
        cluster_by_team=True,
        seed=1,
    )
    steps: list[tuple[float, str, float]] = []
    start = time.perf_counter()
    result = pipeline.run_analysis(
        frame,
        settings,
        mediator_scoring=rprs_0_100,
        mediator_items=ITEMS,
        progress=lambda f, message: steps.append((f, message, time.perf_counter() - start)),
    )
    run = time.perf_counter() - start
    previous = 0.0
    for fraction, message, at in steps:
        print(f"  {fraction:4.2f} {at - previous:7.1f} s before: {message}")
        previous = at
    print(
        f"full run (m={M}, {RESAMPLES:,} resamples, cluster by team): {run:.1f} s; "
        f"indirect {result.indirect.estimate:.4f} "
        f"[{result.indirect.ci_low:.4f}, {result.indirect.ci_high:.4f}], n {result.n.used:,}"
    )
    print(f"data set + run: {build + run:.1f} s (target < 60 s)")

    rows = direct_frame(study)
    rows = rows[rows[["x", *RPRS, "y"]].notna().any(axis=1)]
    model = rows[["x", *RPRS, "y", "baseline", *NUMERIC]]
    start = time.perf_counter()
    completed = stats.impute(model, m=M, rng=1).datasets
    print(f"stats.impute alone: {time.perf_counter() - start:.1f} s")
    datasets = [
        data.assign(m=rprs_0_100(data[list(RPRS)].to_numpy()))[
            ["x", "m", "y", "baseline", *NUMERIC]
        ]
        for data in completed
    ]
    covariates = ["baseline", *NUMERIC]

    start = time.perf_counter()
    for i, data in enumerate(datasets):
        stats.mediation(
            data["x"],
            data["m"],
            data["y"],
            data[covariates],
            n_resamples=RESAMPLES,
            rng=i,
        )
    tandem_fits = time.perf_counter() - start
    print(f"stats.mediation x {M} (rows resampled): {tandem_fits:.1f} s")

    import pingouin  # in the test extras

    start = time.perf_counter()
    for i, data in enumerate(datasets[:pingouin_fits]):
        pingouin.mediation_analysis(
            data=data, x="x", m="m", y="y", covar=covariates, n_boot=RESAMPLES, seed=i
        )
    per_fit = (time.perf_counter() - start) / pingouin_fits
    pingouin_fits_all = per_fit * M
    print(
        f"pingouin.mediation_analysis: {per_fit:.1f} s per data set, x {M} = "
        f"{pingouin_fits_all:.1f} s (scaled from {pingouin_fits})"
    )
    print(f"ratio pingouin / tandem (fits): {pingouin_fits_all / tandem_fits:.1f}")


if __name__ == "__main__":
    main()
