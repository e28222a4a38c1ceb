"""stats.mediation_power against Fritz & MacKinnon's sample sizes and a plain simulation loop."""

from __future__ import annotations

import doctest
import json
from typing import Any

import numpy as np
import pytest

from tandem import stats
from tandem.stats import power as power_module


def test_medium_paths_reach_eighty_percent_power_at_fritz_mackinnon_sample_size() -> None:
    # Fritz & MacKinnon (2007), table 3: percentile bootstrap, a = b = 0.39, c' = 0: N = 78.
    res = stats.mediation_power(0.39, 0.39, 78, n_sims=800, n_resamples=500, rng=1)
    assert res.power == pytest.approx(0.80, abs=0.05)


def test_halfway_paths_reach_eighty_percent_power_at_fritz_mackinnon_sample_size() -> None:
    # The seed paper's power analysis: a = b = 0.26 needs N = 162 for 0.8 power.
    res = stats.mediation_power(0.26, 0.26, 162, n_sims=400, n_resamples=400, rng=2)
    assert res.power == pytest.approx(0.80, abs=0.07)


def test_power_increases_with_sample_size() -> None:
    powers = [
        stats.mediation_power(0.26, 0.26, n, n_sims=200, n_resamples=200, rng=3).power
        for n in (40, 100, 250)
    ]
    assert powers[0] < powers[1] < powers[2]
    assert powers[2] > 0.9


def test_power_without_any_path_stays_below_alpha() -> None:
    res = stats.mediation_power(0.0, 0.0, 100, n_sims=500, n_resamples=300, rng=4)
    assert res.power < 0.05


def test_decisions_equal_a_plain_loop_over_studies_and_resamples() -> None:
    a, b, c_prime, n, n_sims, n_resamples, seed = 0.2, 0.3, 0.1, 40, 6, 200, 5
    res = stats.mediation_power(
        a, b, n, c_prime=c_prime, n_sims=n_sims, n_resamples=n_resamples, rng=seed
    )
    study_stream, resample_stream = np.random.default_rng(seed).spawn(2)
    noise = study_stream.standard_normal((n_sims, n, 3))
    uniforms = resample_stream.random((n_sims * n_resamples, n)).reshape(n_sims, n_resamples, n)
    significant = 0
    for study in range(n_sims):
        x = noise[study, :, 0]
        m = a * x + noise[study, :, 1]
        y = c_prime * x + b * m + noise[study, :, 2]
        draws = []
        for rows in np.minimum((uniforms[study] * n).astype(np.intp), n - 1):
            ones = np.ones(n)[rows]
            a_hat = np.linalg.lstsq(np.column_stack([ones, x[rows]]), m[rows], rcond=None)[0][1]
            design = np.column_stack([ones, x[rows], m[rows]])
            b_hat = np.linalg.lstsq(design, y[rows], rcond=None)[0][2]
            draws.append(a_hat * b_hat)
        ordered = np.sort(draws)
        # 95% percentile interval of 200 draws: the 5th and the 196th.
        significant += ordered[4] > 0 or ordered[195] < 0
    assert res.power == significant / n_sims


def test_batch_size_does_not_change_the_power() -> None:
    kwargs = {"n_sims": 40, "n_resamples": 100, "rng": 6}
    assert (
        stats.mediation_power(0.3, 0.3, 60, batch=3, **kwargs).power
        == stats.mediation_power(0.3, 0.3, 60, **kwargs).power
    )


def test_result_reports_settings_and_monte_carlo_error() -> None:
    res = stats.mediation_power(0.3, 0.2, 50, n_sims=80, n_resamples=50, alpha=0.1, rng=7)
    out = res.to_dict()
    json.dumps(out)
    assert out["seed"] == 7
    assert (res.n, res.n_sims, res.n_resamples, res.alpha) == (50, 80, 50, 0.1)
    assert res.mc_se == pytest.approx(np.sqrt(res.power * (1 - res.power) / 80))


def test_docstring_examples_run() -> None:
    assert doctest.testmod(power_module).failed == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 3}, "n must be at least 4"),
        ({"n_sims": 0}, "n_sims must be at least 1"),
        ({"n_resamples": 0}, "n_resamples must be at least 1"),
        ({"alpha": 1.5}, "alpha must be between 0 and 1"),
        ({"a": float("nan")}, "a must be finite"),
        ({"c_prime": float("inf")}, "c_prime must be finite"),
        ({"batch": 0}, "batch must be a positive int"),
    ],
)
def test_bad_input_is_rejected_naming_the_argument(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"a": 0.3, "b": 0.3, "n": 50, "n_sims": 10, "n_resamples": 10} | kwargs
    with pytest.raises(ValueError, match=message):
        stats.mediation_power(**args)


@pytest.mark.parametrize(("name", "value"), [("a", "0.3"), ("n", 50.0), ("n_sims", True)])
def test_wrong_types_are_type_errors(name: str, value: Any) -> None:
    args = {"a": 0.3, "b": 0.3, "n": 50, "n_sims": 10, "n_resamples": 10, name: value}
    with pytest.raises(TypeError, match=f"{name} must be"):
        stats.mediation_power(**args)
