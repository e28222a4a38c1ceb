"""Cells that spreadsheets open: text cannot start a formula, numbers stay numbers."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from tandem.core.spreadsheet import neutralise_formula, neutralise_formulas
from tests.payloads import FORMULA_PAYLOADS


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_text_starting_a_formula_gets_a_leading_quote(payload: str) -> None:
    assert neutralise_formula(payload) == "'" + payload


@pytest.mark.parametrize(
    "number", [-3, -0.5, 0, 2.5, np.float64(-1.5), np.int64(-7), Decimal("-2")]
)
def test_real_numbers_stay_numbers(number: object) -> None:
    assert neutralise_formula(number) is number


def test_a_missing_value_stays_missing() -> None:
    assert neutralise_formula(None) is None
    nan = neutralise_formula(math.nan)
    assert isinstance(nan, float)
    assert math.isnan(nan)


@pytest.mark.parametrize("text", ["", "Hope", "a=b", "3 - 1", "café", " =1", "'quoted"])
def test_other_text_is_left_alone(text: str) -> None:
    assert neutralise_formula(text) == text


@pytest.mark.parametrize("text", ["-3", "-0.5", "+1"])
def test_text_that_looks_like_a_signed_number_is_still_text(text: str) -> None:
    # A string is text whatever it looks like: a free-text answer "-3" is exported as typed.
    assert neutralise_formula(text) == "'" + text


def test_a_row_is_neutralised_cell_by_cell() -> None:
    assert neutralise_formulas(["=1+1", -3, "ok", None]) == ["'=1+1", -3, "ok", None]
