"""pandas inputs to tandem.stats must share one index, as statsmodels requires."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tandem import stats


def _frame() -> pd.DataFrame:
    gen = np.random.default_rng(4)
    n = 40
    frame = pd.DataFrame(
        {
            "pre": gen.normal(20, 5, n),
            "base": gen.normal(0, 1, n),
            "added": gen.normal(0, 1, n),
            "group": np.arange(n) % 5,
        },
        index=np.arange(500, 500 + n),
    )
    frame["post"] = frame["pre"] - 3 + gen.normal(0, 4, n)
    frame["reviewed"] = pd.date_range("2015-01-01", periods=n, freq="30D")
    return frame


_Call = Callable[[dict[str, Any]], object]

_CALLS: dict[str, tuple[_Call, dict[str, str]]] = {
    "paired_t": (
        lambda a: stats.paired_t(a["before"], a["after"]),
        {"before": "pre", "after": "post"},
    ),
    "reliable_change": (
        lambda a: stats.reliable_change(a["pre"], a["post"], sd=5.0, reliability=0.8),
        {"pre": "pre", "post": "post"},
    ),
    "r2_change": (
        lambda a: stats.r2_change(a["y"], a["base"], a["added"]),
        {"y": "post", "base": "base", "added": "added"},
    ),
    "interpolate_daily": (
        lambda a: stats.interpolate_daily(a["dates"], a["scores"], "2015-01-01", "2018-03-01"),
        {"dates": "reviewed", "scores": "pre"},
    ),
    "icc": (
        lambda a: stats.icc(a["values"], a["groups"]),
        {"values": "post", "groups": "group"},
    ),
}

_CASES = [(function, argument) for function, (_, args) in _CALLS.items() for argument in args]


@pytest.mark.parametrize(("function", "argument"), _CASES)
def test_a_reversed_series_is_refused_naming_the_argument(function: str, argument: str) -> None:
    call, columns = _CALLS[function]
    frame = _frame()
    args = {name: frame[column] for name, column in columns.items()}
    args[argument] = frame[columns[argument]].iloc[::-1]
    # The first pandas argument sets the index, so reversing it names the second one.
    with pytest.raises(
        ValueError, match=rf"^{argument} is not aligned|not aligned with {argument}:"
    ):
        call(args)


@pytest.mark.parametrize("function", list(_CALLS))
def test_aligned_series_give_the_array_result(function: str) -> None:
    call, columns = _CALLS[function]
    frame = _frame()
    from_series = call({name: frame[column] for name, column in columns.items()})
    from_arrays = call({name: frame[column].to_numpy() for name, column in columns.items()})
    assert from_series.to_dict() == from_arrays.to_dict()  # type: ignore[attr-defined]
