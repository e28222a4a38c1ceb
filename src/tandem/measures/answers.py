"""Checking answers against an instrument's response scales, and scoring them.

Shared by the worker's form, the client's link page and the CSV import, so the three accept
exactly the same values and report a bad one the same way (by item id).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from tandem.measures import scoring
from tandem.measures.registry import Instrument

Answer = float | str


def clean_answer(instrument: Instrument, item_id: str, raw: Any) -> tuple[Answer | None, str]:
    """One answer as stored (a number, or text for a free-text item), or an error message.

    An empty value is a missing answer: ``(None, "")``.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if item_id in {item.id for item in instrument.text_items}:
        text = str(raw).strip()[:200]
        if "\x00" in text:
            # PostgreSQL cannot store U+0000 in a JSON text value; no keyboard types it.
            return None, _("This answer contains a character that cannot be stored.")
        return text, ""
    try:
        item = instrument.item(item_id)
    except KeyError:
        return None, _("This instrument has no such item.")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None, _("Enter a number.")
    scale = instrument.scale_of(item)
    if not math.isfinite(value) or not scale.min <= value <= scale.max:
        return None, _("Enter a value from %(low)g to %(high)g.") % {
            "low": scale.min,
            "high": scale.max,
        }
    if not scale.continuous and value not in scale.values:
        return None, _("Choose one of the listed answers.")
    return value, ""


def clean_answers(
    instrument: Instrument, answers: Mapping[str, Any]
) -> tuple[dict[str, Answer], dict[str, str]]:
    """Answers keyed by item id, and errors keyed by item id; empty answers are left out."""
    cleaned: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for item_id, raw in answers.items():
        value, error = clean_answer(instrument, item_id, raw)
        if error:
            errors[item_id] = error
        elif value is not None:
            cleaned[item_id] = value
    return cleaned, errors


def scores_for(instrument: Instrument, answers: Mapping[str, Answer]) -> dict[str, float | None]:
    """Every score of the instrument by name; ``None`` where too many items are missing."""
    result = scoring.score(instrument, dict(answers))
    return {name: result.scores.get(name) for name in instrument.score_names}


def missing_items(instrument: Instrument, answers: Mapping[str, Any]) -> list[str]:
    """Scored items without an answer, in the instrument's order (free-text fields are optional)."""
    return [item_id for item_id in instrument.item_ids if answers.get(item_id) in (None, "")]


def is_scorable(instrument: Instrument, answers: Mapping[str, Answer]) -> bool:
    """Every score of the instrument can be computed, prorating within its missing-item rule."""
    return all(value is not None for value in scores_for(instrument, answers).values())
