"""Compare how multiple imputation shifts the a path: stats.impute, R mice and statsmodels.

Run from the repository root::

    .venv/bin/python benchmarks/imputation.py [N_STUDIES]

(with ``PYTHONPATH=src`` when the installed ``tandem`` comes from another checkout).

Each study is ``pmm_studies.make_study`` from the tests (311 clients in 14 teams, alliance
items missing for about 15% of clients, more in low-fidelity teams). For each, the a path
(fidelity on the mean alliance item, adjusting for covariates) is fitted on complete cases (CC)
and averaged over 20 completed data sets (MI); the table prints MI - CC for ``stats.impute``,
for R ``mice(method = "pmm")`` when ``Rscript`` with mice is on the PATH (through
``tests/stats/data/make_pmm_reference.R``), and for statsmodels' ``MICEData`` with its
defaults (20 donors, matching on drawn parameters, one chain: what ``stats.impute`` used
before) when statsmodels is installed. Then the mean and standard error over studies, and
the time ``stats.impute`` took per study.
"""

from __future__ import annotations

import csv
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.stats.data import pmm_studies  # noqa: E402  # the tests' study generator

from tandem import stats  # noqa: E402

M = 20
N_ITERATIONS = 10
FIRST_SEED = 2026


def tandem_shift(frame: pd.DataFrame, seed: int) -> tuple[float, float]:
    """Return MI - CC of a with stats.impute, and the seconds the imputation took."""
    start = time.perf_counter()
    res = stats.impute(frame, m=M, rng=seed, n_burnin=N_ITERATIONS)
    elapsed = time.perf_counter() - start
    imputed = np.mean([pmm_studies.a_path(completed) for completed in res.datasets])
    return float(imputed) - pmm_studies.a_path(frame), elapsed


def statsmodels_shift(frame: pd.DataFrame, seed: int) -> float:
    """Return MI - CC of a with statsmodels' MICEData defaults, one chain as MICE.fit runs."""
    from statsmodels.imputation.mice import MICEData  # optional

    work = frame.set_axis([f"v{j}" for j in range(frame.shape[1])], axis=1)
    chain = MICEData(work, rng=np.random.default_rng(seed))
    chain.update_all(N_ITERATIONS)
    estimates = []
    for _ in range(M):
        chain.update_all(1)
        estimates.append(pmm_studies.a_path(chain.data.set_axis(frame.columns, axis=1)))
    return float(np.mean(estimates)) - pmm_studies.a_path(frame)


def mice_shifts(frames: dict[int, pd.DataFrame]) -> dict[int, float] | None:
    """Return MI - CC of a with R mice per seed, or None without Rscript and mice."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        for seed, frame in frames.items():
            frame.to_csv(Path(tmp) / f"study_{seed}.csv", index=False, na_rep="NA")
        script = ROOT / "tests" / "stats" / "data" / "make_pmm_reference.R"
        done = subprocess.run(  # noqa: S603  # fixed argv
            ["Rscript", str(script), tmp, str(M), str(N_ITERATIONS)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"R mice skipped: {done.stderr.strip().splitlines()[-1:]}")
            return None
        with (Path(tmp) / "mice.csv").open(newline="") as handle:
            return {
                int(row["seed"]): float(row["mi_a"]) - float(row["cc_a"])
                for row in csv.DictReader(handle)
            }


def summary(values: list[float]) -> str:
    """Return mean ± standard error."""
    se = np.std(values, ddof=1) / math.sqrt(len(values))
    return f"{np.mean(values):+.4f} ± {se:.4f}"


def main() -> None:
    """Print MI - CC of a per study and on average, and the imputation time."""
    n_studies = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    frames = {
        seed: pmm_studies.make_study(seed) for seed in range(FIRST_SEED, FIRST_SEED + n_studies)
    }
    stats.impute(frames[FIRST_SEED], m=2, rng=0, n_burnin=1)  # load pandas before timing
    tandem = {seed: tandem_shift(frame, seed) for seed, frame in frames.items()}
    try:
        old = {seed: statsmodels_shift(frame, seed) for seed, frame in frames.items()}
    except ImportError:
        old = None
    mice = mice_shifts(frames)

    print(f"MI - CC of a ({M} imputations, {N_ITERATIONS} iterations), by study")
    print(f"{'seed':>6} {'CC a':>8} {'Tandem':>9} {'R mice':>9} {'statsmodels':>12}")
    for seed, frame in frames.items():
        mice_text = f"{mice[seed]:+9.4f}" if mice else f"{'-':>9}"
        old_text = f"{old[seed]:+12.4f}" if old else f"{'-':>12}"
        print(
            f"{seed:>6} {pmm_studies.a_path(frame):8.4f} {tandem[seed][0]:+9.4f} "
            f"{mice_text} {old_text}"
        )
    print(f"mean ± SE over {n_studies} studies")
    print(f"  stats.impute (mice PMM)   {summary([shift for shift, _ in tandem.values()])}")
    if mice:
        print(f"  R mice pmm                {summary(list(mice.values()))}")
        paired = [tandem[seed][0] - mice[seed] for seed in frames]
        print(f"  Tandem - mice, paired     {summary(paired)}")
    if old:
        print(f"  statsmodels MICEData      {summary(list(old.values()))}")
    times = [elapsed for _, elapsed in tandem.values()]
    print(
        f"stats.impute: {np.mean(times) * 1000:.0f} ms per study "
        f"(min {min(times) * 1000:.0f} ms; {frames[FIRST_SEED].shape[0]} rows, "
        f"{len(pmm_studies.ITEMS)} incomplete items)"
    )


if __name__ == "__main__":
    main()
