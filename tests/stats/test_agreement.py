"""stats.coding_agreement against a per-character count, stats.krippendorff_alpha against the
krippendorff package and a pair-by-pair computation."""

from __future__ import annotations

import doctest
import json
import math
from collections.abc import Sequence
from typing import Any

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from tandem import stats
from tandem.stats import agreement

Span = tuple[int, int]

# --- independent implementations -----------------------------------------------------------


def kappa_by_character(
    length: int, spans_a: Sequence[Span], spans_b: Sequence[Span]
) -> dict[str, Any]:
    """Cohen's kappa from the 2x2 table counted one character at a time (scikit-learn's way)."""
    table = [[0, 0], [0, 0]]  # table[a coded][b coded]
    for i in range(length):
        coded_a = any(start <= i < end for start, end in spans_a)
        coded_b = any(start <= i < end for start, end in spans_b)
        table[int(coded_a)][int(coded_b)] += 1
    p_o = (table[0][0] + table[1][1]) / length
    p_a = (table[1][0] + table[1][1]) / length
    p_b = (table[0][1] + table[1][1]) / length
    p_e = p_a * p_b + (1 - p_a) * (1 - p_b)
    return {
        "both": table[1][1],
        "a_only": table[1][0],
        "b_only": table[0][1],
        "neither": table[0][0],
        "p_o": p_o,
        "p_e": p_e,
        "kappa": (p_o - p_e) / (1 - p_e) if p_e < 1 else math.nan,
    }


def alpha_by_pairs(data: Sequence[Sequence[float | None]], level: str) -> float:
    """Krippendorff's alpha from the coincidences of every ordered pair of coders in a unit."""
    units = [
        [v for row in data if (v := row[u]) is not None and not math.isnan(v)]
        for u in range(len(data[0]))
    ]
    domain = sorted({v for unit in units for v in unit})
    index = {v: i for i, v in enumerate(domain)}
    o = [[0.0] * len(domain) for _ in domain]
    for unit in units:
        m = len(unit)
        if m < 2:
            continue
        for i, first in enumerate(unit):
            for j, second in enumerate(unit):
                if i != j:
                    o[index[first]][index[second]] += 1.0 / (m - 1)
    n_c = [sum(row) for row in o]
    n = sum(n_c)

    def delta(c: int, k: int) -> float:
        if level == "nominal":
            return float(c != k)
        if level == "interval":
            return (domain[c] - domain[k]) ** 2
        if level == "ratio":
            total = domain[c] + domain[k]
            return 0.0 if total == 0 else ((domain[c] - domain[k]) / total) ** 2
        low, high = min(c, k), max(c, k)
        return (sum(n_c[low : high + 1]) - (n_c[c] + n_c[k]) / 2) ** 2

    size = len(domain)
    d_o = sum(o[c][k] * delta(c, k) for c in range(size) for k in range(size)) / n
    d_e = sum(n_c[c] * n_c[k] * delta(c, k) for c in range(size) for k in range(size)) / (
        n * (n - 1)
    )
    return 1 - d_o / d_e


def package_alpha(data: Sequence[Sequence[float | None]], level: Any) -> float:
    floats = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(krippendorff.alpha(floats, level_of_measurement=level))


# --- coding_agreement -------------------------------------------------------------------------


def test_worked_example_gives_kappa_0444() -> None:
    # 1,000 characters, each coder codes 100, 50 of them overlap.
    res = stats.coding_agreement(1000, [(100, 200)], [(150, 250)])
    assert (res.both, res.a_only, res.b_only, res.neither, res.length) == (50, 50, 50, 850, 1000)
    assert round(res.kappa, 3) == 0.444
    reference = kappa_by_character(1000, [(100, 200)], [(150, 250)])
    assert_allclose(res.kappa, reference["kappa"], rtol=1e-12)
    assert_allclose(res.percent_agreement, 100 * reference["p_o"], rtol=1e-12)
    assert_allclose(res.expected_agreement, reference["p_e"], rtol=1e-12)


@st.composite
def document_codings(draw: st.DrawFn) -> tuple[int, list[Span], list[Span]]:
    length = draw(st.integers(1, 300))
    offsets = st.integers(0, length)

    def spans() -> st.SearchStrategy[list[Span]]:
        return st.lists(st.tuples(offsets, offsets).map(lambda p: (min(p), max(p))), max_size=6)

    return length, draw(spans()), draw(spans())


@settings(max_examples=150, deadline=None)
@given(document_codings())
def test_counts_and_kappa_equal_a_per_character_count(
    case: tuple[int, list[Span], list[Span]],
) -> None:
    length, spans_a, spans_b = case
    res = stats.coding_agreement(length, spans_a, spans_b)
    reference = kappa_by_character(length, spans_a, spans_b)
    counts = (res.both, res.a_only, res.b_only, res.neither)
    assert counts == tuple(reference[k] for k in ("both", "a_only", "b_only", "neither"))
    assert_allclose(res.observed_agreement, reference["p_o"], rtol=1e-12)
    assert_allclose(res.expected_agreement, reference["p_e"], rtol=1e-12)
    if math.isnan(reference["kappa"]):
        assert res.kappa == 1.0
    else:
        assert_allclose(res.kappa, reference["kappa"], rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(document_codings())
def test_kappa_is_symmetric_in_the_two_coders(case: tuple[int, list[Span], list[Span]]) -> None:
    length, spans_a, spans_b = case
    forward = stats.coding_agreement(length, spans_a, spans_b)
    backward = stats.coding_agreement(length, spans_b, spans_a)
    assert forward.kappa == backward.kappa
    assert (forward.a_only, forward.b_only) == (backward.b_only, backward.a_only)


def test_overlapping_and_nested_spans_of_one_coder_count_each_character_once() -> None:
    merged = stats.coding_agreement(500, [(10, 90)], [(50, 120)])
    pieces = stats.coding_agreement(500, [(10, 40), (30, 90), (35, 60), (10, 90)], [(50, 120)])
    assert merged == pieces


def test_zero_width_spans_code_nothing() -> None:
    res = stats.coding_agreement(100, [(5, 5), (10, 20)], [(10, 20), (99, 99)])
    assert (res.both, res.a_only, res.b_only) == (10, 0, 0)


@pytest.mark.parametrize(
    ("spans_a", "spans_b"),
    [([], []), ([(0, 50)], [(0, 30), (30, 50)])],
    ids=["both-code-nothing", "both-code-everything"],
)
def test_complete_agreement_with_no_chance_correction_possible_gives_kappa_one(
    spans_a: list[Span], spans_b: list[Span]
) -> None:
    res = stats.coding_agreement(50, spans_a, spans_b)
    assert res.expected_agreement == 1.0
    assert (res.kappa, res.percent_agreement) == (1.0, 100.0)


def test_one_coder_coding_everything_and_the_other_nothing_gives_kappa_zero() -> None:
    res = stats.coding_agreement(40, [(0, 40)], [])
    reference = kappa_by_character(40, [(0, 40)], [])
    assert res.kappa == reference["kappa"]
    assert res.percent_agreement == 0.0


def test_coders_who_split_the_document_disagree_everywhere() -> None:
    res = stats.coding_agreement(60, [(0, 30)], [(30, 60)])
    assert_allclose(res.kappa, kappa_by_character(60, [(0, 30)], [(30, 60)])["kappa"], rtol=1e-12)
    assert res.kappa < 0


def test_numpy_offsets_are_accepted() -> None:
    spans = np.array([[3, 9], [20, 25]], dtype=np.int32)
    res = stats.coding_agreement(np.int64(30), spans, [(3, 9)])
    assert (res.both, res.a_only) == (6, 5)


@pytest.mark.parametrize(
    ("length", "spans_a", "spans_b", "error", "message"),
    [
        (0, [], [], ValueError, "length must be at least 1"),
        (10.0, [], [], TypeError, "length must be an integer"),
        (True, [], [], TypeError, "length must be an integer"),
        (10, [(4, 2)], [], ValueError, r"spans_a\[0\] starts at 4, after its end 2"),
        (10, [], [(0, 2), (5, 11)], ValueError, r"spans_b\[1\] end 11 is outside the document"),
        (10, [(-1, 2)], [], ValueError, r"spans_a\[0\] start -1 is outside the document"),
        (10, [(1.0, 2)], [], TypeError, r"spans_a\[0\] start must be an integer"),
        (10, [(1, 2.5)], [], TypeError, r"spans_a\[0\] end must be an integer"),
        (10, [(1, 2, 3)], [], TypeError, r"spans_a\[0\] must be a \(start, end\) pair"),
        (10, [5], [], TypeError, r"spans_a\[0\] must be a \(start, end\) pair"),
        (10, [], "0-5", TypeError, "spans_b must be an iterable of"),
        (10, None, [], TypeError, "spans_a must be an iterable of"),
    ],
)
def test_bad_input_names_the_argument_and_the_problem(
    length: Any, spans_a: Any, spans_b: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        stats.coding_agreement(length, spans_a, spans_b)


def test_coding_agreement_to_dict_is_json_ready() -> None:
    out = json.loads(json.dumps(stats.coding_agreement(20, [(0, 5)], [(2, 8)]).to_dict()))
    assert set(out) >= {"percent_agreement", "kappa", "both", "a_only", "b_only", "neither"}


# --- krippendorff_alpha -----------------------------------------------------------------------

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the example with missing
# values: four observers, twelve units.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# The values the paper reports, to three decimals.
KRIPPENDORFF_2011_ALPHA = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}

LEVELS = ("nominal", "ordinal", "interval", "ratio")


@pytest.mark.parametrize("level", LEVELS)
def test_alpha_reproduces_krippendorffs_published_example(level: str) -> None:
    res = stats.krippendorff_alpha(KRIPPENDORFF_2011, level=level)  # type: ignore[arg-type]  # parametrised Literal
    assert round(res.alpha, 3) == KRIPPENDORFF_2011_ALPHA[level]
    assert_allclose(res.alpha, package_alpha(KRIPPENDORFF_2011, level), rtol=1e-12)
    assert_allclose(res.alpha, alpha_by_pairs(KRIPPENDORFF_2011, level), rtol=1e-12)


def test_alpha_counts_pairable_values_and_units() -> None:
    res = stats.krippendorff_alpha(KRIPPENDORFF_2011)
    per_unit = [sum(row[u] is not None for row in KRIPPENDORFF_2011) for u in range(12)]
    assert res.n_pairable_values == sum(m for m in per_unit if m >= 2)
    assert res.n_pairable_units == sum(m >= 2 for m in per_unit)
    assert (res.n_coders, res.n_units, res.level) == (4, 12, "nominal")
    assert_allclose(1 - res.observed_disagreement / res.expected_disagreement, res.alpha)


@st.composite
def reliability_tables(draw: st.DrawFn) -> list[list[float | None]]:
    coders = draw(st.integers(2, 5))
    units = draw(st.integers(1, 25))
    value = st.one_of(st.none(), st.integers(0, draw(st.integers(1, 5))).map(float))
    return draw(
        st.lists(st.lists(value, min_size=units, max_size=units), min_size=coders, max_size=coders)
    )


@pytest.mark.parametrize("level", LEVELS)
@settings(max_examples=80, deadline=None)
@given(data=reliability_tables())
def test_alpha_equals_the_krippendorff_package_on_random_tables(
    level: str, data: list[list[float | None]]
) -> None:
    try:
        expected = package_alpha(data, level)
    except ValueError:
        with pytest.raises(ValueError, match="reliability_data"):
            stats.krippendorff_alpha(data, level=level)  # type: ignore[arg-type]  # parametrised Literal
        return
    res = stats.krippendorff_alpha(data, level=level)  # type: ignore[arg-type]  # parametrised Literal
    if math.isnan(expected):
        assert math.isnan(res.alpha)
    else:
        assert_allclose(res.alpha, expected, rtol=1e-9, atol=1e-12)
        assert_allclose(res.alpha, alpha_by_pairs(data, level), rtol=1e-9, atol=1e-12)


def test_missing_values_may_be_none_or_nan() -> None:
    with_nan = [[np.nan if v is None else v for v in row] for row in KRIPPENDORFF_2011]
    assert stats.krippendorff_alpha(with_nan) == stats.krippendorff_alpha(KRIPPENDORFF_2011)


def test_nominal_labels_may_be_strings() -> None:
    names = {1: "trust", 2: "goals", 3: "bond", 4: "rupture", 5: "repair"}
    labelled = [[None if v is None else names[v] for v in row] for row in KRIPPENDORFF_2011]
    assert_allclose(
        stats.krippendorff_alpha(labelled).alpha,
        stats.krippendorff_alpha(KRIPPENDORFF_2011).alpha,
        rtol=1e-12,
    )


def test_alpha_on_coded_characters_equals_the_package() -> None:
    # Two coders' codings of a long transcript as 0/1 per character: the vectorised
    # coincidence matrix handles 100,000 units.
    gen = np.random.default_rng(15)
    coded = gen.random((2, 100_000)) < np.array([[0.2], [0.25]])
    coded[1] |= coded[0] & (gen.random(100_000) < 0.7)
    res = stats.krippendorff_alpha(coded.astype(int))
    assert_allclose(res.alpha, package_alpha(coded.astype(float).tolist(), "nominal"), rtol=1e-10)
    assert res.n_pairable_values == 200_000


@pytest.mark.parametrize(
    ("data", "level", "error", "message"),
    [
        ([[1, 2], [1, 2]], "cardinal", ValueError, "level must be one of"),
        ([1, 2, 3], "nominal", ValueError, "must be two-dimensional"),
        ([[1, 2], [1, np.inf]], "interval", ValueError, "contains infinite values"),
        ([[1, 1], [1, None]], "nominal", ValueError, "1 distinct value"),
        ([[1, None], [None, 2]], "nominal", ValueError, "no unit coded by at least two coders"),
        ([["a", "b"], ["a", "a"]], "interval", TypeError, "must hold numbers at the interval"),
        ([["a", 2], ["a", "b"]], "nominal", TypeError, "labels of one sortable type"),
    ],
)
def test_alpha_bad_input_names_the_argument(
    data: Any, level: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        stats.krippendorff_alpha(data, level=level)


def test_alpha_without_variation_among_pairable_values_is_nan_as_in_the_package() -> None:
    # Value 2 appears only in a unit that one coder coded, so no pairable value varies.
    data: list[list[float | None]] = [[1, 1, 2], [1, 1, None]]
    assert math.isnan(package_alpha(data, "nominal"))
    assert math.isnan(stats.krippendorff_alpha(data).alpha)


def test_alpha_to_dict_is_json_ready() -> None:
    out = json.loads(json.dumps(stats.krippendorff_alpha(KRIPPENDORFF_2011).to_dict()))
    assert out["n_pairable_values"] == 40


def test_docstring_examples_run() -> None:
    outcome = doctest.testmod(agreement, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0
    assert outcome.failed == 0
