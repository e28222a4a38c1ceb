"""Coverage of stats.mediation's intervals when clients are nested in teams.

Run from the repository root::

    .venv/bin/python benchmarks/coverage.py [--replications 200] [--resamples 999] [--seed 1]

Simulates studies with known paths and counts how often each 95% interval covers the true
value, in three scenarios:

* ``seed shape``: :func:`tandem.synth.smcm_study` (311 clients in 14 teams, fidelity exposure
  per team, weak team effects on alliance and outcome), the model of QOLI at 9 months with the
  nine covariates, complete cases (about 220 clients); true a = 0.6, b = 0.1, c' = 0.
* ``14 teams, ICC 0.26``: 311 clients in 14 teams of unequal size, x measured per team
  (standard normal), two client covariates, team random effects on m and y with an
  intraclass correlation of 0.26 for each model's error; a = 0.5, b = 0.3, c' = 0.
* ``40 teams, ICC 0.26``: the same with 40 teams, where the cluster-robust methods are
  on home ground.

For the indirect effect a*b: the i.i.d. percentile bootstrap (rows resampled), the pairs
cluster bootstrap (whole teams resampled) and the wild cluster bootstrap (Webb and Rademacher
weights, with and without its default t scaling of the residuals). For the paths a and c':
the t intervals with OLS, HC3, CR1 and CR2 standard errors, and the share of studies in which
the true-zero c' is "significant" at 5%. The Monte Carlo standard error of a coverage near
0.95 is about sqrt(0.95 * 0.05 / R): 0.015 for R = 200, 0.007 for R = 1000. With the
defaults the whole run takes about a minute on one core; ``--replications 1000`` about five.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tandem import stats, synth

Study = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]

INDIRECT_METHODS: dict[str, dict[str, object]] = {
    "i.i.d. percentile bootstrap": {},
    "pairs cluster bootstrap": {"cluster": True},
    "wild cluster bootstrap (Webb, t-scaled)": {"cluster": True, "bootstrap": "wild"},
    "wild cluster bootstrap (Rademacher, t-scaled)": {
        "cluster": True,
        "bootstrap": "wild",
        "wild_weights": "rademacher",
    },
    "wild cluster bootstrap (Webb, unscaled)": {
        "cluster": True,
        "bootstrap": "wild",
        "wild_scale": "none",
    },
}
PATH_SE = ("OLS", "HC3", "CR1", "CR2")


@dataclass(frozen=True)
class Scenario:
    """A data-generating process with its true paths."""

    name: str
    simulate: Callable[[np.random.Generator], Study]
    a: float
    b: float
    c_prime: float


def seed_shape(gen: np.random.Generator) -> Study:
    """Return (x, m, y, covariates, team) of one synthetic SMCM study, complete cases."""
    frame = synth.smcm_study(rng=gen).mediation_frame("qol", 9.0)
    frame["alliance"] = synth.alliance_score(frame)
    frame = frame.dropna(subset=["fidelity", "alliance", "outcome", *synth.COVARIATES])
    return (
        frame["fidelity"].to_numpy(),
        frame["alliance"].to_numpy(),
        frame["outcome"].to_numpy(),
        frame[list(synth.COVARIATES)].to_numpy(dtype=float),
        frame["team_id"].to_numpy(),
    )


def teams(n_teams: int, icc: float, a: float, b: float) -> Callable[[np.random.Generator], Study]:
    """Return a simulator of 311 clients in ``n_teams`` teams with x measured per team."""

    def simulate(gen: np.random.Generator) -> Study:
        n = 311
        share = gen.dirichlet(np.full(n_teams, 8.0))
        extra = gen.choice(n_teams, size=n - 2 * n_teams, p=share)
        team = np.concatenate([np.repeat(np.arange(n_teams), 2), extra])
        x = gen.normal(size=n_teams)[team]
        covariates = gen.normal(size=(n, 2))
        between, within = math.sqrt(icc), math.sqrt(1.0 - icc)
        m = a * x + covariates @ np.array([0.3, -0.2])
        m += between * gen.normal(size=n_teams)[team] + within * gen.normal(size=n)
        y = b * m + covariates @ np.array([0.2, 0.1])
        y += between * gen.normal(size=n_teams)[team] + within * gen.normal(size=n)
        return x, m, y, covariates, team

    return simulate


SCENARIOS = (
    Scenario("seed shape (synth.smcm_study)", seed_shape, 0.6, 0.1, 0.0),
    Scenario("14 teams, ICC 0.26", teams(14, 0.26, 0.5, 0.3), 0.5, 0.3, 0.0),
    Scenario("40 teams, ICC 0.26", teams(40, 0.26, 0.5, 0.3), 0.5, 0.3, 0.0),
)


def covers(low: float, high: float, value: float) -> bool:
    """Return whether ``value`` lies in ``[low, high]``."""
    return low <= value <= high


def run_scenario(scenario: Scenario, replications: int, resamples: int, seed: int) -> None:
    """Simulate ``replications`` studies and print the coverage table of ``scenario``."""
    gen = np.random.default_rng(seed)
    indirect_hits = dict.fromkeys(INDIRECT_METHODS, 0)
    path_hits = {(se, path): 0 for se in PATH_SE for path in ("a", "c_prime")}
    rejections = dict.fromkeys(PATH_SE, 0)
    sizes = []
    start = time.perf_counter()
    for replication in range(replications):
        x, m, y, covariates, team = scenario.simulate(gen)
        sizes.append(x.size)
        truth = scenario.a * scenario.b
        for method, options in INDIRECT_METHODS.items():
            kwargs = dict(options)
            if kwargs.pop("cluster", False):
                kwargs["cluster"] = team
            res = stats.mediation(
                x, m, y, covariates, n_resamples=resamples, rng=replication, **kwargs
            )
            indirect_hits[method] += covers(res.ci_low, res.ci_high, truth)
        for se in PATH_SE:
            hc = None if se == "OLS" else se
            cluster = team if se.startswith("CR") else None
            res = stats.mediation(x, m, y, covariates, n_resamples=1, hc=hc, cluster=cluster)
            path_hits[se, "a"] += covers(res.a_ci_low, res.a_ci_high, scenario.a)
            path_hits[se, "c_prime"] += covers(
                res.c_prime_ci_low, res.c_prime_ci_high, scenario.c_prime
            )
            rejections[se] += res.c_prime_p < 0.05
    seconds = time.perf_counter() - start

    mc_se = math.sqrt(0.95 * 0.05 / replications)
    print(
        f"\n{scenario.name}: {replications} studies of {min(sizes)}-{max(sizes)} clients, "
        f"{resamples} resamples, {seconds:.0f} s; Monte Carlo SE of a coverage near 0.95: "
        f"{mc_se:.3f}"
    )
    print(f"  95% interval of a*b (true {scenario.a * scenario.b:g})          coverage")
    for method, hits in indirect_hits.items():
        print(f"    {method:<48} {hits / replications:6.3f}")
    print("  95% interval of the paths    coverage a   coverage c'   c' = 0 rejected at 5%")
    for se in PATH_SE:
        print(
            f"    {se:<26} {path_hits[se, 'a'] / replications:12.3f} "
            f"{path_hits[se, 'c_prime'] / replications:13.3f} "
            f"{rejections[se] / replications:18.3f}"
        )


def main() -> None:
    """Parse the flags and run every scenario."""
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--replications", type=int, default=200, help="studies per scenario")
    parser.add_argument("--resamples", type=int, default=999, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=1, help="seed of the simulated studies")
    args = parser.parse_args()
    if args.replications < 1 or args.resamples < 1:
        parser.error("--replications and --resamples must be at least 1")
    warnings.simplefilter("ignore", UserWarning)  # few-cluster warnings, one per study
    for scenario in SCENARIOS:
        run_scenario(scenario, args.replications, args.resamples, args.seed)


if __name__ == "__main__":
    main()
