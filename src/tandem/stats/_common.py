"""Shared input checks and result plumbing for :mod:`tandem.stats`."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
RngLike = int | np.random.Generator | None

# A least-squares fit whose residual sum of squares is below this fraction of the total sum of
# squares fits essentially perfectly: its standard errors, t and p are then rounding noise.
PERFECT_FIT_TOL = 1e-10


class DegenerateFitWarning(UserWarning):
    """A model fits essentially perfectly, so its standard errors, t and p are unreliable."""


def perfect_fit_message(ssr: float, sst: float, model: str) -> str | None:
    """Return a warning text when ``ssr / sst`` is below :data:`PERFECT_FIT_TOL`, else None.

    R's ``summary.lm`` warns "essentially perfect fit: summary may be unreliable" in the same
    situation (with a far smaller threshold, relative to the fitted values).
    """
    if sst > 0.0 and ssr / sst >= PERFECT_FIT_TOL:
        return None
    return (
        f"essentially perfect fit of the {model} (residual variance {ssr / sst:.1e} of the "
        "total): its standard errors, t and p may be rounding noise, not a finding; is the "
        "outcome computed from the predictors?"
    )


class ResultMixin:
    """Give a frozen result dataclass a JSON-ready ``to_dict``."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as plain Python values (floats, ints, lists, str, None)."""
        if not dataclasses.is_dataclass(self):
            raise TypeError(f"{type(self).__name__} is not a dataclass")
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def as_generator(rng: RngLike, name: str = "rng") -> tuple[np.random.Generator, int | None]:
    """Return a Generator and the int seed it came from (None when none was given)."""
    if rng is None:
        return np.random.default_rng(), None
    if isinstance(rng, np.random.Generator):
        return rng, None
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        raise TypeError(f"{name} must be an int seed, a numpy.random.Generator or None")
    if rng < 0:
        raise ValueError(f"{name} must be a non-negative seed, got {rng}")
    return np.random.default_rng(int(rng)), int(rng)


def as_1d_float(x: Any, name: str, *, allow_nan: bool = False) -> FloatArray:
    """Convert ``x`` to a 1-D float array, naming ``name`` in any error."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric: {exc}") from None
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    check_finite(arr, name, allow_nan=allow_nan)
    return arr


def as_2d_float(x: Any, name: str, *, allow_nan: bool = False) -> FloatArray:
    """Convert ``x`` to a 2-D float array (rows are observations), naming ``name`` in errors."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric: {exc}") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional, got shape {arr.shape}")
    check_finite(arr, name, allow_nan=allow_nan)
    return arr


def check_finite(arr: FloatArray, name: str, *, allow_nan: bool = False) -> None:
    """Raise ``ValueError`` naming ``name`` when ``arr`` has NaN (unless allowed) or inf."""
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains infinite values")
    if not allow_nan and np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN values")


def check_same_length(**arrays: FloatArray) -> int:
    """Return the common length of ``arrays``; raise naming the first that differs."""
    names = list(arrays)
    n = len(arrays[names[0]])
    for name in names[1:]:
        if len(arrays[name]) != n:
            raise ValueError(
                f"{name} has {len(arrays[name])} rows but {names[0]} has {n}; lengths must match"
            )
    return n


def pandas_index(value: Any) -> Any | None:
    """Return the index of a pandas Series or DataFrame, else None (pandas is not imported)."""
    if type(value).__module__.partition(".")[0] != "pandas":
        return None
    index = getattr(value, "index", None)
    return None if index is None or callable(index) else index


def check_aligned(values: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` naming the first pandas input whose index differs from the first's.

    As statsmodels does for ``endog`` and ``exog``: pandas inputs are not reindexed, they must
    carry the same index (same labels in the same order). Inputs that are not pandas objects
    are matched by position and not checked.
    """
    reference_name: str | None = None
    reference: Any = None
    for name, value in values.items():
        index = pandas_index(value)
        if index is None:
            continue
        if reference_name is None:
            reference_name, reference = name, index
        elif not index.equals(reference):
            raise ValueError(
                f"{name} is not aligned with {reference_name}: their pandas indexes differ. "
                f"Reindex one to the other (for example {name}.reindex({reference_name}.index)) "
                "or pass NumPy arrays to match rows by position"
            )


def check_confidence_level(confidence_level: float) -> None:
    """Raise ``ValueError`` unless ``0 < confidence_level < 1``."""
    if not 0.0 < float(confidence_level) < 1.0:
        raise ValueError(f"confidence_level must be between 0 and 1, got {confidence_level}")
