"""Text tables and strict JSON for ``tandem analyze``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["Report", "dropped", "percent", "rows", "strict_json"]

_WIDTH: Final = 10


@dataclass(frozen=True, slots=True)
class Report:
    """What an analysis prints: ``fields`` as JSON with ``--json``, else ``text``.

    ``warnings`` are the analysis's own warnings, already worded for the command line.
    """

    fields: dict[str, Any]
    text: str
    warnings: tuple[str, ...] = ()


def rows(header: Sequence[str], table: Sequence[tuple[str, Sequence[float | int]]]) -> list[str]:
    """Return a header line and a line per row: the label, then each value right-aligned."""
    label_width = max(len(label) for label, _ in table)
    label_width += 2 if label_width else 0
    out = ["  " + " " * label_width + "".join(f"{h:>{_WIDTH}}" for h in header)]
    for label, values in table:
        cells = "".join(f"{number(v):>{_WIDTH}}" for v in values)
        out.append(f"  {label:<{label_width}}{cells}".rstrip())
    return out


def number(value: float | int) -> str:
    """Format an int as is, a float with four decimals, NaN as nothing."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4f}"


def percent(level: float) -> str:
    return f"{100 * level:g}%"


def dropped(count: int, noun: str, reason: str = "with missing values") -> str:
    if count == 0:
        return ""
    return f" ({count} {noun}{'s' if count != 1 else ''} {reason} dropped)".replace("  ", " ")


def strict_json(value: Any) -> Any:
    """Replace non-finite floats by None: JSON has no NaN or infinity."""
    if isinstance(value, dict):
        return {key: strict_json(v) for key, v in value.items()}
    if isinstance(value, list):
        return [strict_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
