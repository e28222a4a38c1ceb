"""Scoring every built-in instrument against hand-computed examples, plus range properties."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.measures.registry import Instrument, all_instruments, get_instrument, parse_definition
from tandem.measures.scoring import (
    NOT_SCORED_MISSING,
    NOT_SCORED_POINTS,
    AnswerError,
    score,
    score_many,
)
from tests.measures.test_registry import small_definition


def answers(values: Sequence[float | None]) -> dict[str, object]:
    return {f"q{n}": value for n, value in enumerate(values, 1)}


def reversed_scale(**changes: Any) -> Instrument:
    """Four 1-6 items, q2 and q4 reverse-keyed (7 - x)."""
    return parse_definition(small_definition(**changes))


# ---- RPRS ---------------------------------------------------------------------------------------
def test_rprs_total_is_the_sum_and_its_0_100_form_is_linear() -> None:
    # 1, 2, 3, 4 six times: total 60; (60 - 24) / 72 x 100 = 50.
    result = score(get_instrument("rprs"), answers([1, 2, 3, 4] * 6))
    assert result.scores == {"total": 60, "total_0_100": 50}
    assert result.n_missing == 0
    assert not result.prorated


def test_rprs_bounds() -> None:
    rprs = get_instrument("rprs")
    assert score(rprs, answers([1] * 24)).scores == {"total": 24, "total_0_100": 0}
    assert score(rprs, answers([4] * 24)).scores == {"total": 96, "total_0_100": 100}


def test_rprs_prorates_four_missing_items() -> None:
    # 20 answered: ten 2s and ten 4s, mean 3, x 24 = 72; (72 - 24) / 72 x 100 = 66.67.
    result = score(get_instrument("rprs"), answers([2, 4] * 10 + [None] * 4))
    assert result.scores["total"] == 72
    assert result.scores["total_0_100"] == pytest.approx(200 / 3)
    assert result.prorated == {"total", "total_0_100"}
    assert result.n_missing == 4


def test_rprs_with_five_missing_items_is_not_scored() -> None:
    result = score(get_instrument("rprs"), answers([3] * 19))
    assert result.scores == {"total": None, "total_0_100": None}
    assert set(result.not_scored) == {"total", "total_0_100"}
    assert result.n_missing == 5


# ---- COSE ---------------------------------------------------------------------------------------
def test_cose_subscales_and_total() -> None:
    values = [2] * 12 + [3] * 10 + [4] * 7 + [5] * 4 + [6] * 4
    result = score(get_instrument("cose"), answers(values))
    assert result.scores == {
        "microskills": 24,
        "attending_to_process": 30,
        "difficult_behaviors": 28,
        "cultural_competence": 20,
        "awareness_of_values": 24,
        "total": 126,
    }


def test_cose_small_subscale_with_a_missing_item_is_not_scored_but_the_total_is_prorated() -> None:
    values: list[float | None] = [6] * 37
    values[29] = None  # q30, first cultural-competence item
    result = score(get_instrument("cose"), answers(values))
    assert result.scores["cultural_competence"] is None
    assert result.scores["total"] == 222
    assert "total" in result.prorated


# ---- reverse keying -----------------------------------------------------------------------------
def test_reverse_keyed_items_score_min_plus_max_minus_x() -> None:
    # q1 6, q2 6 -> 1, q3 6, q4 6 -> 1.
    assert score(reversed_scale(), answers([6, 6, 6, 6])).scores == {"total": 14}
    assert score(reversed_scale(), answers([1, 1, 1, 1])).scores == {"total": 14}
    assert score(reversed_scale(), answers([6, 1, 6, 1])).scores == {"total": 24}


def test_reverse_keying_happens_before_prorating() -> None:
    scores = [{"name": "total", "label": "T", "items": ["q1", "q2", "q3", "q4"], "max_missing": 1}]
    # q1 6, q2 1 -> 6, q3 6 answered; q4 missing: mean 6 x 4 = 24.
    result = score(reversed_scale(scores=scores), answers([6, 1, 6, None]))
    assert result.scores == {"total": 24}


def test_reverse_keying_in_a_mean_scale() -> None:
    scores = [{"name": "mean", "label": "M", "items": ["q1", "q2"], "rule": "mean"}]
    assert score(reversed_scale(scores=scores), answers([5, 5])).scores == {"mean": 3.5}


def test_a_licensed_cose_key_with_reversed_items_is_honoured() -> None:
    from tandem.measures.registry import definition_document

    document = definition_document(get_instrument("cose"))
    for item in document["items"][:2]:
        item["reverse"] = True
    licensed = parse_definition(document)
    result = score(licensed, answers([6] * 37))
    assert result.scores["microskills"] == 62  # 10 x 6 + 2 x 1
    assert result.scores["total"] == 212


# ---- QOLI-20 ------------------------------------------------------------------------------------
def test_qoli20_overall_is_the_mean() -> None:
    qoli = get_instrument("qoli20")
    assert score(qoli, answers([1, 7] * 10)).scores == {"overall": 4}
    assert score(qoli, answers([5] * 16 + [None] * 4)).scores == {"overall": 5}
    assert score(qoli, answers([5] * 15)).scores == {"overall": None}


# ---- PGI ----------------------------------------------------------------------------------------
def pgi(ratings: dict[int, float], points: dict[int, float]) -> dict[str, float | None]:
    given: dict[str, float | None] = {f"q{area}": value for area, value in ratings.items()}
    given.update({f"q{area + 6}": value for area, value in points.items()})
    return given


def test_pgi_index_is_the_points_weighted_rating_on_0_100() -> None:
    # (5 x 6 + 10 x 6) / 12 = 7.5 -> 75.
    result = score(get_instrument("pgi"), pgi({1: 5, 2: 10}, {1: 6, 2: 6}))
    assert result.scores == {"index": 75}


def test_pgi_unused_areas_and_area_names_are_allowed() -> None:
    given: dict[str, object] = {**pgi({1: 4, 3: 8, 6: 2}, {1: 3, 3: 6, 6: 3}), "area1": "Work"}
    # (4 x 3 + 8 x 6 + 2 x 3) / 12 = 5.5 -> 55.
    assert score(get_instrument("pgi"), given).scores == {"index": 55}


def test_pgi_points_off_budget_are_not_scored() -> None:
    result = score(get_instrument("pgi"), pgi({1: 5, 2: 10}, {1: 6, 2: 5}))
    assert result.scores == {"index": None}
    assert "budget" in result.not_scored["index"]


def test_pgi_area_with_points_but_no_rating_is_not_scored() -> None:
    result = score(get_instrument("pgi"), pgi({1: 5}, {1: 6, 2: 6}))
    assert result.scores == {"index": None}
    assert "rating" in result.not_scored["index"]


def test_pgi_batch_reason_codes() -> None:
    batch = score_many(get_instrument("pgi"), [pgi({1: 5}, {1: 11})])
    assert batch.reasons[0, 0] == NOT_SCORED_POINTS


# ---- THS ----------------------------------------------------------------------------------------
def test_ths_scores_pathways_and_agency_and_ignores_fillers() -> None:
    values = [1, 5, 8, 2, 8, 3, 8, 4, 6, 7, 8, 8]
    result = score(get_instrument("ths"), answers(values))
    assert result.scores == {"pathways": 10, "agency": 26, "total": 36}


def test_ths_missing_filler_is_not_missing() -> None:
    values: list[float | None] = [1, 5, None, 2, None, 3, None, 4, 6, 7, None, 8]
    result = score(get_instrument("ths"), answers(values))
    assert result.n_missing == 0
    assert result.scores["total"] == 36


def test_ths_total_prorates_one_missing_item_but_its_subscale_is_not_scored() -> None:
    values: list[float | None] = [None, 5, 8, 2, 8, 3, 8, 4, 6, 7, 8, 8]
    result = score(get_instrument("ths"), answers(values))
    assert result.scores["pathways"] is None
    # 35 over 7 answered items = 5, x 8 = 40.
    assert result.scores["total"] == 40


# ---- MCAS ---------------------------------------------------------------------------------------
def test_mcas_subscales_and_total() -> None:
    values = [1, 2, 3, 4, 5] + [5, 5, 5] + [2] * 5 + [4] * 4
    result = score(get_instrument("mcas"), answers(values))
    assert result.scores == {
        "interference": 15,
        "adjustment": 15,
        "social_competence": 10,
        "behavioral_problems": 16,
        "total": 56,
    }


def test_mcas_bounds() -> None:
    assert score(get_instrument("mcas"), answers([1] * 17)).scores["total"] == 17
    assert score(get_instrument("mcas"), answers([5] * 17)).scores["total"] == 85


# ---- WAI-SR -------------------------------------------------------------------------------------
def test_wai_sr_task_bond_goal() -> None:
    values = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2]
    result = score(get_instrument("wai_sr"), answers(values))
    assert result.scores == {"task": 10, "bond": 14, "goal": 9, "total": 33}


# ---- CANSAS -------------------------------------------------------------------------------------
def test_cansas_counts_met_and_unmet_needs_and_not_known_is_neither() -> None:
    values = [1] * 5 + [2] * 3 + [9] + [0] * 13
    result = score(get_instrument("cansas"), answers(values))
    assert result.scores == {"met": 5, "unmet": 3, "total": 8}


def test_cansas_with_five_unrated_domains_is_not_scored() -> None:
    result = score(get_instrument("cansas"), answers([2] * 17))
    assert result.scores == {"met": None, "unmet": None, "total": None}


def test_cansas_rejects_a_rating_of_three() -> None:
    with pytest.raises(AnswerError, match="q1: 3 is not allowed"):
        score(get_instrument("cansas"), answers([3]))


# ---- ORS / SRS ----------------------------------------------------------------------------------
def test_ors_sums_visual_analogue_marks() -> None:
    result = score(get_instrument("ors"), answers([2.5, 3.1, 7, 10]))
    assert result.scores["total"] == pytest.approx(22.6)


def test_srs_with_one_missing_line_is_not_scored() -> None:
    result = score(get_instrument("srs"), answers([9, 9, 9, None]))
    assert result.scores == {"total": None}


def test_ors_mark_beyond_the_line_is_an_error() -> None:
    with pytest.raises(AnswerError) as caught:
        score(get_instrument("ors"), answers([1, 2, 10.5, 3]))
    assert caught.value.item_id == "q3"
    assert caught.value.row is None


# ---- answer errors ------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["abc", True, [1], "inf", "nan", float("inf")])
def test_non_numeric_or_infinite_answers_name_the_item(value: object) -> None:
    with pytest.raises(AnswerError) as caught:
        score(get_instrument("rprs"), {"q7": value})
    assert caught.value.item_id == "q7"


def test_numeric_text_empty_text_and_nan_are_read() -> None:
    given = {f"q{n}": "3" for n in range(1, 22)} | {"q22": "", "q23": " ", "q24": math.nan}
    assert score(get_instrument("rprs"), given).scores["total"] == 72


def test_unknown_item_is_an_error() -> None:
    with pytest.raises(AnswerError, match="q25"):
        score(get_instrument("rprs"), {"q25": 1})


@pytest.mark.parametrize("bad", ["nan", "-inf", "x", " "])
def test_batch_of_text_rows_rejects_text_that_is_not_a_number(bad: str) -> None:
    rows = [{"q1": "1", "q2": "", "q3": "3", "q4": "4"}, {"q1": "2", "q2": bad}]
    if bad == " ":
        assert score_many(get_instrument("ors"), rows).n_missing.tolist() == [1, 3]
        return
    with pytest.raises(AnswerError, match="row 2, item q2"):
        score_many(get_instrument("ors"), rows)


def test_batch_errors_name_the_row() -> None:
    rows: list[dict[str, object]] = [answers([3] * 24), answers([3] * 23 + [5])]
    with pytest.raises(AnswerError, match="row 2, item q24") as caught:
        score_many(get_instrument("rprs"), rows)
    assert caught.value.row == 1


def test_batch_and_single_scoring_agree() -> None:
    rng = np.random.default_rng(7)
    wai = get_instrument("wai_sr")
    matrix = rng.integers(1, 6, size=(200, 12)).astype(float)
    matrix[rng.random(matrix.shape) < 0.15] = np.nan
    batch = score_many(wai, matrix)
    for i in range(len(matrix)):
        row = {f"q{j + 1}": (None if math.isnan(v) else v) for j, v in enumerate(matrix[i])}
        single = score(wai, row)
        assert batch.row(i).scores == pytest.approx(single.scores)
        assert batch.row(i).not_scored == single.not_scored
    assert (batch.reasons == NOT_SCORED_MISSING).any()


def test_batch_of_a_hundred_thousand_scores_every_row_as_one_by_one() -> None:
    """Speed is measured by benchmarks/score_responses.py against a peer, never timed here."""
    rprs = get_instrument("rprs")
    rows = [{f"q{j}": str((i + j) % 4 + 1) for j in range(1, 25)} for i in range(100_000)]
    batch = score_many(rprs, rows)
    assert len(batch) == 100_000
    for i in (0, 1, 2, 3, 99_999):
        single = score(rprs, {key: float(value) for key, value in rows[i].items()})
        assert batch.row(i).scores == pytest.approx(single.scores)


def test_result_serialises() -> None:
    result = score(get_instrument("srs"), answers([9, 9, 9, None]))
    assert result.to_dict()["not_scored"] == {"total": "too many items missing"}


# ---- properties ---------------------------------------------------------------------------------
@st.composite
def responses(draw: st.DrawFn, instrument: Instrument) -> dict[str, float | None]:
    given: dict[str, float | None] = {}
    for item in instrument.items:
        scale = instrument.scale_of(item)
        if scale.continuous:
            value = st.floats(scale.min, scale.max, allow_nan=False)
        else:
            value = st.sampled_from(scale.values)
        given[item.id] = draw(st.one_of(st.none(), value) if draw(st.booleans()) else value)
    return given


@pytest.mark.parametrize("instrument", all_instruments(), ids=lambda i: i.code)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_scores_stay_within_each_valid_range(instrument: Instrument, data: st.DataObject) -> None:
    result = score(instrument, data.draw(responses(instrument)))
    for definition in instrument.scores:
        value = result.scores[definition.name]
        if value is None:
            assert definition.name in result.not_scored
            continue
        low, high = instrument.valid_range(definition)
        assert low - 1e-9 <= value <= high + 1e-9
        if definition.range is not None:
            assert definition.range[0] - 1e-9 <= value <= definition.range[1] + 1e-9


@settings(max_examples=100, deadline=None)
@given(
    ratings=st.lists(st.integers(0, 10), min_size=6, max_size=6),
    cuts=st.lists(st.integers(0, 12), min_size=5, max_size=5),
)
def test_pgi_index_stays_within_0_100_when_the_budget_is_spent(
    ratings: list[int], cuts: list[int]
) -> None:
    bounds = [0, *sorted(cuts), 12]
    points = [b - a for a, b in itertools.pairwise(bounds)]
    given = {f"q{n + 1}": float(r) for n, r in enumerate(ratings)}
    given |= {f"q{n + 7}": float(p) for n, p in enumerate(points)}
    value = score(get_instrument("pgi"), given).scores["index"]
    assert value is not None
    assert 0 <= value <= 100
    assert value == pytest.approx(
        sum(r * p for r, p in zip(ratings, points, strict=True)) / 12 * 10
    )
