"""Time batch scoring (``tandem.measures.scoring.score_many``) of 100,000 responses.

Run from the repository root::

    .venv/bin/python benchmarks/score_responses.py

Scores synthetic RPRS (24 items) and COSE (37 items, five subscales) responses with about 3% of
answers missing, given three ways: CSV-like rows of strings (what an importer reads), rows of
numbers, and an answer matrix. Times are the best of three runs.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from tandem.measures.registry import get_instrument
from tandem.measures.scoring import score_many

N_RESPONSES = 100_000


def best_of(runs: int, call: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(2026)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {N_RESPONSES:,} responses")
    for code in ("rprs", "cose"):
        instrument = get_instrument(code)
        scale = instrument.scale_of(instrument.items[0])
        matrix = rng.integers(
            int(scale.min), int(scale.max) + 1, (N_RESPONSES, len(instrument.items))
        )
        answers = matrix.astype(float)
        answers[rng.random(answers.shape) < 0.03] = np.nan
        ids = instrument.item_ids
        numbers = [
            {i: (None if np.isnan(v) else v) for i, v in zip(ids, row, strict=True)}
            for row in answers.tolist()
        ]
        strings = [{i: ("" if v is None else f"{v:g}") for i, v in row.items()} for row in numbers]
        for label, rows in (
            ("string rows", strings),
            ("number rows", numbers),
            ("matrix", answers),
        ):
            seconds = best_of(3, partial(score_many, instrument, rows))
            print(
                f"{code:5} {label:12} {seconds:6.2f} s  {N_RESPONSES / seconds:12,.0f} responses/s"
            )


if __name__ == "__main__":
    main()
