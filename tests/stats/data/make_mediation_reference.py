"""Write ``mediation_reference.py``: a small clustered data set and its path estimates.

Run from the repository root (semopy is needed here only, not by the tests)::

    .venv/bin/pip install semopy==2.3.11
    .venv/bin/python tests/stats/data/make_mediation_reference.py
    .venv/bin/ruff format tests/stats/data/mediation_reference.py

The estimates come from two routes that share no code with ``tandem.stats.mediation``:

* semopy's maximum-likelihood fit of the path model ``m ~ x + C``, ``y ~ x + m + C``. This
  model is saturated, so its ML point estimates equal the least-squares paths, as lavaan's
  would; they are not lavaan output (R is not available where these were made).
* closed-form covariance algebra: each regression's slopes are ``S_PP^{-1} S_Po`` from the
  sample covariance matrix, and the total effect comes from its own regression.
"""

from __future__ import annotations

import pprint
from pathlib import Path

import numpy as np
import pandas as pd
import semopy

N_TEAMS = 14
CLIENTS_PER_TEAM = 10
COVARIATES = ("age", "gender", "unstable_housing", "baseline")
SEED = 20_191_104


def make_data() -> dict[str, list[float]]:
    """Return clients nested in teams: fidelity exposure, alliance, outcome and covariates."""
    gen = np.random.default_rng(SEED)
    team = np.repeat(np.arange(N_TEAMS), CLIENTS_PER_TEAM)
    n = team.size
    team_fidelity = gen.normal(28.0, 3.0, N_TEAMS)
    fidelity = team_fidelity[team] + gen.normal(0.0, 1.0, n)
    age = gen.normal(40.0, 11.0, n)
    gender = (gen.random(n) < 0.45).astype(float)
    housing = (gen.random(n) < 0.3).astype(float)
    baseline = gen.normal(5.0, 1.0, n)
    team_effect = gen.normal(0.0, 2.0, N_TEAMS)[team]
    alliance = (
        40.0 + 0.6 * fidelity + 0.05 * age - 2.0 * housing + team_effect + gen.normal(0, 6.0, n)
    )
    outcome = (
        1.0
        + 0.12 * alliance
        + 0.02 * fidelity
        + 0.5 * baseline
        - 0.3 * gender
        + gen.normal(0.0, 1.2, n)
    )
    columns = {
        "team": team.astype(float),
        "x": fidelity,
        "m": alliance,
        "y": outcome,
        "age": age,
        "gender": gender,
        "unstable_housing": housing,
        "baseline": baseline,
    }
    return {name: [round(float(v), 3) for v in values] for name, values in columns.items()}


def semopy_estimates(frame: pd.DataFrame) -> dict[str, float]:
    """Return a, b, c' and a*b from semopy's ML fit of the saturated path model."""
    predictors = " + ".join(COVARIATES)
    model = semopy.Model(f"m ~ x + {predictors}\ny ~ x + m + {predictors}")
    # trust-constr converges to about 1e-9 here; semopy's default SLSQP stops near 1e-3.
    model.fit(frame, obj="MLW", solver="trust-constr")
    table = model.inspect()
    coef = {
        (row.lval, row.rval): float(row.Estimate) for row in table.itertuples() if row.op == "~"
    }
    a, b, c_prime = coef[("m", "x")], coef[("y", "m")], coef[("y", "x")]
    return {"a": a, "b": b, "c_prime": c_prime, "indirect": a * b}


def covariance_algebra_estimates(frame: pd.DataFrame) -> dict[str, float]:
    """Return the paths and R² from the sample covariance matrix, without fitting any model."""
    names = ["x", "m", "y", *COVARIATES]
    cov = np.cov(frame[names].to_numpy(), rowvar=False)
    index = {name: i for i, name in enumerate(names)}

    def slopes(outcome: str, predictors: list[str]) -> tuple[np.ndarray, float]:
        p = [index[name] for name in predictors]
        o = index[outcome]
        beta = np.linalg.solve(cov[np.ix_(p, p)], cov[p, o])
        r2 = float(cov[p, o] @ beta / cov[o, o])
        return beta, r2

    beta_m, r2_m = slopes("m", ["x", *COVARIATES])
    beta_y, r2_y = slopes("y", ["x", "m", *COVARIATES])
    beta_c, _ = slopes("y", ["x", *COVARIATES])
    return {
        "a": float(beta_m[0]),
        "b": float(beta_y[1]),
        "c": float(beta_c[0]),
        "c_prime": float(beta_y[0]),
        "indirect": float(beta_m[0] * beta_y[1]),
        "r2_m": r2_m,
        "r2_y": r2_y,
        "indirect_std": float(beta_m[0] * beta_y[1] * np.sqrt(cov[0, 0] / cov[2, 2])),
    }


def main() -> None:
    """Compute the reference values and write them beside this script."""
    data = make_data()
    frame = pd.DataFrame(data)
    text = f'''"""Path estimates for ``test_mediation.py``, written by a script: do not edit.

Made by ``make_mediation_reference.py`` beside this file. These are NOT R lavaan values (R is
not available where they were made): ``SEMOPY`` is semopy {semopy.__version__}'s ML fit of the
saturated path model (whose ML point estimates equal the least-squares paths, as lavaan's
would), and ``COVARIANCE_ALGEBRA`` solves the normal equations from the sample covariance
matrix. Both are independent of ``tandem.stats.mediation``.
"""

COVARIATES = {COVARIATES!r}

DATA = {pprint.pformat(data, width=96, compact=True)}

SEMOPY = {pprint.pformat(semopy_estimates(frame), width=96)}

COVARIANCE_ALGEBRA = {pprint.pformat(covariance_algebra_estimates(frame), width=96)}
'''
    Path(__file__).with_name("mediation_reference.py").write_text(text)


if __name__ == "__main__":
    main()
