"""The result of an analysis run: frozen, JSON round-trip through ``to_dict`` / ``from_dict``.

Every number is a plain ``float`` or ``int`` (NaN stored as ``None`` in the dict, so the JSON
is strict), and warnings are codes with their numbers, put into words in the reader's
language by :func:`tandem.research.analysis.report.warning_texts`.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from tandem.research.analysis.settings import AnalysisSettings

__all__ = [
    "AlphaSummary",
    "AnalysisResult",
    "AnalysisWarning",
    "IccSummary",
    "Indirect",
    "Path",
    "PowerNote",
    "R2Step",
    "RegressionRow",
    "RegressionTable",
    "SampleSizes",
]

T = TypeVar("T")


@dataclass(frozen=True)
class SampleSizes:
    """Clients at each step: enrolled, with any data for the model, used, and imputed.

    ``complete`` counts the clients with every model variable observed; ``imputed`` those of
    the analysed clients with at least one value imputed (0 for a complete-case run), and
    ``imputed_values`` the values imputed per completed data set.
    """

    enrolled: int
    with_data: int
    complete: int
    used: int
    imputed: int
    imputed_values: int
    dropped_covariates: int
    teams: int


@dataclass(frozen=True)
class Path:
    """One path of the model, pooled over imputations when there are several.

    ``fmi`` is the fraction of missing information (None for complete cases).
    """

    estimate: float
    se: float
    t: float
    df: float
    p: float
    ci_low: float
    ci_high: float
    fmi: float | None = None


@dataclass(frozen=True)
class Indirect:
    """The indirect effect a*b with its bootstrap interval, raw and completely standardised."""

    estimate: float
    boot_se: float
    ci_low: float
    ci_high: float
    std: float
    std_ci_low: float
    std_ci_high: float
    ci_method: str
    n_draws: int
    n_replaced: int


@dataclass(frozen=True)
class RegressionRow:
    """One coefficient of a regression table."""

    term: str
    coef: float
    se: float
    t: float
    df: float
    p: float
    ci_low: float
    ci_high: float
    fmi: float | None = None


@dataclass(frozen=True)
class RegressionTable:
    """One model (``"mediator"``, ``"outcome"`` or ``"total"``) as PROCESS prints it.

    With imputations the coefficients are pooled by Rubin's rules and ``r2`` is pooled on
    Fisher's z scale; ``f`` and ``f_p`` are then None.
    """

    model: str
    rows: tuple[RegressionRow, ...]
    r2: float
    f: float | None
    df1: int
    df2: int
    f_p: float | None
    n: int


@dataclass(frozen=True)
class IccSummary:
    """ICC(1) and ICC(2) of one variable by team (observed values only)."""

    variable: str
    icc1: float
    icc2: float
    f: float
    p: float
    n: int
    n_groups: int


@dataclass(frozen=True)
class AlphaSummary:
    """Cronbach's alpha of the mediator's items (observed, complete responses)."""

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    n_items: int


@dataclass(frozen=True)
class R2Step:
    """One step of the hierarchical regression of the outcome.

    Steps: ``"covariates"``, ``"exposure"``, ``"mediator"``. With imputations R² is pooled on
    Fisher's z scale and the F test is the D2 statistic of Li et al. (1991).
    """

    step: str
    r2: float
    delta_r2: float
    f: float
    df1: int
    df2: float
    p: float


@dataclass(frozen=True)
class PowerNote:
    """Power to detect an indirect effect of standardised paths ``a`` and ``b`` at ``n``.

    ``method`` is ``"simulation"`` (:func:`tandem.stats.mediation_power`, with ``mc_se``) or
    ``"approximation"`` (the joint significance test, for large samples).
    """

    a: float
    b: float
    n: int
    power: float
    mc_se: float | None
    method: str


@dataclass(frozen=True)
class AnalysisWarning:
    """Something the reader should weigh: a code and the numbers the sentence needs."""

    code: str
    params: dict[str, Any]


@dataclass(frozen=True)
class AnalysisResult:
    """Everything an analysis run found, with the settings that made it."""

    settings: AnalysisSettings
    mediator_items: tuple[str, ...]
    n: SampleSizes
    hc: str | None
    a: Path
    b: Path
    c: Path
    c_prime: Path
    indirect: Indirect
    models: tuple[RegressionTable, ...]
    icc: tuple[IccSummary, ...]
    alpha: AlphaSummary | None
    r2_change: tuple[R2Step, ...]
    power: tuple[PowerNote, ...]
    warnings: tuple[AnalysisWarning, ...]

    def model(self, name: str) -> RegressionTable:
        """Return the regression table of ``"mediator"``, ``"outcome"`` or ``"total"``."""
        for table in self.models:
            if table.model == name:
                return table
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready values (NaN as None, tuples as lists)."""
        out = _plain(self)
        assert isinstance(out, dict)  # noqa: S101  # a dataclass always gives a dict
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnalysisResult:
        """Rebuild a result from ``to_dict()``."""
        return _build(cls, data)


def _plain(value: Any) -> Any:
    if isinstance(value, AnalysisSettings):
        return value.to_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    # numpy scalars and anything else with a Python equivalent
    item = getattr(value, "item", None)
    if callable(item):
        return _plain(item())
    raise TypeError(f"cannot store a {type(value).__name__} in an analysis result")


def _build(cls: type[T], data: Any) -> T:
    if cls is AnalysisSettings:
        return AnalysisSettings.from_dict(data)  # type: ignore[return-value]  # cls is AnalysisSettings
    if not isinstance(data, dict):
        raise ValueError(f"{cls.__name__}: expected a mapping, got {type(data).__name__}")
    hints = get_type_hints(cls)
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]  # cls is a dataclass here
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown fields {', '.join(unknown)}")
    values = {name: _value(hints[name], data[name]) for name in names if name in data}
    return cls(**values)


def _value(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _value(options[0], value)
    if origin is tuple:
        (item_hint, _ellipsis) = get_args(hint)
        return tuple(_value(item_hint, v) for v in value)
    if origin is dict:
        return dict(value)
    if hint is float:
        return math.nan if value is None else float(value)
    if hint is int:
        return int(value)
    if hint is typing.Any or hint is str:
        return value
    if isinstance(hint, type) and is_dataclass(hint):
        return _build(hint, value)
    return value
