"""Fits that cannot identify the paths: the BCa jackknife refuses them, power replaces them."""

from __future__ import annotations

import numpy as np
import pytest

from tandem import stats
from tandem.stats import _bootstrap

# --- the BCa jackknife ----------------------------------------------------------------------


def _one_treated_row(n: int = 30) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gen = np.random.default_rng(3)
    x = np.zeros(n)
    x[7] = 1.0  # leaving row 7 out leaves x constant
    m = 2.0 * x + gen.normal(size=n)
    y = 0.5 * m + gen.normal(size=n)
    return x, m, y


def test_bca_refuses_a_jackknife_whose_leave_one_out_fit_fails_naming_the_row() -> None:
    x, m, y = _one_treated_row()
    with pytest.raises(ValueError, match=r"ci_method='bca' needs every leave-one-out fit") as info:
        stats.mediation(x, m, y, n_resamples=200, rng=1, ci_method="bca")
    assert "row 7 (position as given)" in str(info.value)
    assert "1 of 30 rows" in str(info.value)


def test_bc_interval_of_the_same_data_is_still_given() -> None:
    x, m, y = _one_treated_row()
    res = stats.mediation(x, m, y, n_resamples=200, rng=1, ci_method="bc")
    assert np.isfinite([res.ci_low, res.ci_high]).all()
    assert res.n_replaced > 0


def test_bca_refuses_a_failed_leave_one_cluster_out_fit_naming_the_cluster() -> None:
    gen = np.random.default_rng(4)
    team = np.repeat(np.array(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]), 4)
    x = (team == "c").astype(float)  # x given to one team only
    m = x + gen.normal(size=40)
    y = 0.5 * m + gen.normal(size=40)
    with pytest.raises(ValueError, match=r"leaving out cluster 'c' \(1 of 10 clusters"):
        stats.mediation(x, m, y, n_resamples=100, rng=1, cluster=team, ci_method="bca")


# --- power ----------------------------------------------------------------------------------


def _loop_power(
    a: float, b: float, n: int, n_sims: int, n_resamples: int, seed: int
) -> tuple[float, int]:
    """Simulate study by study; replace a resample that cannot fit from the third stream."""
    studies, resamples, replacements = np.random.default_rng(seed).spawn(3)

    def fit(x: np.ndarray, m: np.ndarray, y: np.ndarray, rows: np.ndarray) -> float | None:
        ones = np.ones(rows.size)
        design = np.column_stack([ones, x[rows], m[rows]])
        if np.linalg.matrix_rank(design) < 3:
            return None
        a_hat = np.linalg.lstsq(design[:, :2], m[rows], rcond=None)[0][1]
        b_hat = np.linalg.lstsq(design, y[rows], rcond=None)[0][2]
        return float(a_hat * b_hat)

    def draw(stream: np.random.Generator) -> np.ndarray:
        return np.minimum((stream.random(n) * n).astype(np.intp), n - 1)

    significant = 0
    replaced = 0
    for _ in range(n_sims):
        noise = studies.standard_normal((n, 3))
        x = noise[:, 0]
        m = a * x + noise[:, 1]
        y = b * m + noise[:, 2]
        draws = [fit(x, m, y, draw(resamples)) for _ in range(n_resamples)]
        usable = [d for d in draws if d is not None]
        replaced += n_resamples - len(usable)
        while len(usable) < n_resamples:
            value = fit(x, m, y, draw(replacements))
            if value is None:
                replaced += 1
            else:
                usable.append(value)
        low, high = _bootstrap.percentile_interval(usable, 0.95)
        significant += bool(low > 0 or high < 0)
    return significant / n_sims, replaced


@pytest.mark.parametrize("batch", [None, 7])
def test_power_replaces_resamples_that_cannot_fit_as_a_loop_does(batch: int | None) -> None:
    # With 6 rows, about 2% of resamples hold fewer than three distinct rows: m is then a
    # line in x and b is not identified.
    res = stats.mediation_power(0.6, 0.6, 6, n_sims=30, n_resamples=200, rng=5, batch=batch)
    power, replaced = _loop_power(0.6, 0.6, 6, 30, 200, 5)
    assert replaced > 50
    assert res.n_replaced == replaced
    assert res.power == power
    assert res.to_dict()["n_replaced"] == replaced


def test_power_without_failed_resamples_replaces_none() -> None:
    res = stats.mediation_power(0.39, 0.39, 60, n_sims=20, n_resamples=100, rng=2)
    assert res.n_replaced == 0
