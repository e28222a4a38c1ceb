"""Time stats.mediation against pingouin.mediation_analysis, and at 10,000 and 100,000 rows.

Run from the repository root::

    .venv/bin/python benchmarks/mediation.py

Both tools analyse the same simulated study (the paper's shape: 311 clients in 14 teams, nine
covariates, 5000 bootstrap resamples) in one process, with the default BLAS threads and with
one. Times are the best of a few runs. Peak memory is the largest traced allocation during one
call (numpy reports its buffers to ``tracemalloc``; BLAS work space is not traced), printed
beside the process's resident high-water mark (which includes the interpreter, pandas and
pingouin).
"""

from __future__ import annotations

import os
import platform
import resource
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd
import pingouin
from threadpoolctl import threadpool_limits  # installed with pingouin (via scikit-learn)

from tandem import stats

N_RESAMPLES = 5000
N_COVARIATES = 9
TARGET_RATIO = 30.0
MEMORY_LIMIT_MB = 500.0


def simulate(n: int, seed: int = 2024) -> dict[str, np.ndarray]:
    """Return a study of ``n`` clients in 14 teams with paths a ≈ 0.6 and b ≈ 0.1."""
    gen = np.random.default_rng(seed)
    team = np.arange(n) % 14
    covariates = gen.normal(size=(n, N_COVARIATES))
    covariates[:, :3] = gen.random((n, 3)) < 0.4  # binary: gender, housing, employment
    fidelity = gen.normal(28.0, 3.0, 14)[team] + gen.normal(0.0, 1.0, n)
    alliance = 40.0 + 0.6 * fidelity + covariates @ gen.normal(0, 1, N_COVARIATES)
    alliance += gen.normal(0.0, 6.0, n)
    outcome = 1.0 + 0.1 * alliance + covariates @ gen.normal(0, 0.3, N_COVARIATES)
    outcome += gen.normal(0.0, 1.5, n)
    return {"x": fidelity, "m": alliance, "y": outcome, "covariates": covariates}


def best_time(call: Callable[[], object], repeats: int) -> float:
    """Return the fastest of ``repeats`` wall-clock times of ``call()``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_mb(call: Callable[[], object]) -> float:
    """Return the peak traced memory during ``call()``, in MB."""
    tracemalloc.start()
    try:
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def run_tandem(study: dict[str, np.ndarray]) -> stats.MediationResult:
    """Analyse ``study`` with stats.mediation."""
    return stats.mediation(
        study["x"], study["m"], study["y"], study["covariates"], n_resamples=N_RESAMPLES, rng=1
    )


def compare_with_pingouin() -> None:
    """Print both tools' times at n = 311 and their ratio, with default and one BLAS thread."""
    study = simulate(311)
    names = [f"c{j}" for j in range(N_COVARIATES)]
    frame = pd.DataFrame({"x": study["x"], "m": study["m"], "y": study["y"]})
    frame[names] = study["covariates"]

    def run_pingouin() -> pd.DataFrame:
        return pingouin.mediation_analysis(
            data=frame, x="x", m="m", y="y", covar=names, n_boot=N_RESAMPLES, seed=1
        )

    result = run_tandem(study)  # import and first-call costs are not what is being measured
    table = run_pingouin().set_index("path")
    print(f"n = 311, {N_COVARIATES} covariates, {N_RESAMPLES} resamples")
    print(
        f"  indirect {result.indirect:.4f} (pingouin {table.loc['Indirect', 'coef']:.4f}); "
        f"percentile CI [{result.ci_low:.4f}, {result.ci_high:.4f}], "
        f"pingouin BC CI [{table.loc['Indirect', 'CI2.5']:.4f}, "
        f"{table.loc['Indirect', 'CI97.5']:.4f}]"
    )
    # stats.mediation spends its time in one large matrix product, pingouin in many small
    # least-squares fits; on a busy machine a multithreaded BLAS slows the first far more, so
    # both tools are also timed with BLAS held to one thread.
    for label, limit in (("default BLAS threads", None), ("one BLAS thread", 1)):
        with threadpool_limits(limits=limit):
            ours = best_time(lambda: run_tandem(study), repeats=7)
            theirs = best_time(run_pingouin, repeats=2)
        ratio = theirs / ours
        met = "met" if ratio >= TARGET_RATIO else "NOT met"
        print(f"  {label}:")
        print(f"    tandem.stats.mediation      {ours * 1000:9.1f} ms")
        print(f"    pingouin.mediation_analysis {theirs * 1000:9.1f} ms")
        print(f"    ratio {ratio:.1f} x (target >= {TARGET_RATIO:.0f} x: {met})")


def scale_up() -> None:
    """Print time and peak memory at 10,000 and 100,000 rows."""
    print(f"\nscaling, {N_COVARIATES} covariates, {N_RESAMPLES} resamples")
    print(f"  {'n':>8}  {'time':>9}  {'peak traced':>12}  {'process peak RSS':>16}")
    for n in (10_000, 100_000):
        study = simulate(n)
        seconds = best_time(lambda study=study: run_tandem(study), repeats=2)
        peak = peak_mb(lambda study=study: run_tandem(study))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # kB on Linux
        met = "ok" if peak < MEMORY_LIMIT_MB else f"OVER {MEMORY_LIMIT_MB:.0f} MB"
        print(f"  {n:>8,}  {seconds:>7.2f} s  {peak:>9.1f} MB  {rss:>13.1f} MB  {met}")


def main() -> None:
    """Run both comparisons and say where they ran."""
    # Other work on the machine slows both tools, and multithreaded BLAS more than pingouin's
    # loop: read the figures with the load beside them.
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"pingouin {pingouin.__version__}, {os.cpu_count()} CPUs, load average {load}\n"
    )
    compare_with_pingouin()
    scale_up()


if __name__ == "__main__":
    main()
