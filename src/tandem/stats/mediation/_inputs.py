"""Checking and ordering the inputs of :func:`tandem.stats.mediation`.

:func:`mediation_iv` raises naming the bad argument, turns the inputs into float columns and
cluster numbers, and puts the rows in the canonical order that makes the bootstrap depend
only on the rows, not on the order they came in.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from tandem.stats import _wild
from tandem.stats._bootstrap import IntArray, default_batch
from tandem.stats._common import (
    FloatArray,
    RngLike,
    as_1d_float,
    as_2d_float,
    as_generator,
    check_aligned,
    check_confidence_level,
    check_same_length,
)

__all__ = ["CLUSTER_SE", "Bootstrap", "CiMethod", "MediationInput", "mediation_iv"]

CiMethod = Literal["percentile", "bc", "bca"]
Bootstrap = Literal["pairs", "wild"]

_CI_METHODS: Final = ("percentile", "bc", "bca")
_HC_TYPES: Final = ("HC0", "HC1", "HC2", "HC3", "CR1", "CR2")
CLUSTER_SE: Final = ("CR1", "CR2")
_BOOTSTRAPS: Final = ("pairs", "wild")
_WILD_WEIGHTS: Final = ("webb", "rademacher")
_WILD_SCALES: Final = ("t", "none")
# Below this many clusters a cluster bootstrap tends to give intervals that are too narrow.
_FEW_CLUSTERS: Final = 10


@dataclass(frozen=True, slots=True)
class MediationInput:
    x: FloatArray
    m: FloatArray
    y: FloatArray
    covariates: FloatArray
    covariate_names: tuple[str, ...]
    cluster_codes: IntArray | None
    n_clusters: int | None
    # The sorted cluster labels and, for each row in canonical order, its position as given:
    # to name a left-out cluster or row in messages.
    cluster_labels: npt.NDArray[Any] | None
    input_rows: IntArray
    n_resamples: int
    confidence_level: float
    generator: np.random.Generator
    seed: int | None
    hc: str | None
    ci_method: CiMethod
    bootstrap: Bootstrap
    wild_weights: _wild.WildWeights | None
    wild_scale: _wild.WildScale | None
    batch: int


def mediation_iv(
    x: npt.ArrayLike,
    m: npt.ArrayLike,
    y: npt.ArrayLike,
    covariates: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None,
    n_resamples: int,
    confidence_level: float,
    rng: RngLike,
    cluster: npt.ArrayLike | None,
    hc: str | None,
    ci_method: str,
    bootstrap: str,
    wild_weights: str | None,
    wild_scale: str | None,
    batch: int | None,
) -> MediationInput:
    pandas_inputs: dict[str, Any] = {"x": x, "m": m, "y": y}
    if isinstance(covariates, Mapping):
        pandas_inputs.update({f"covariates[{key!r}]": v for key, v in covariates.items()})
    else:
        pandas_inputs["covariates"] = covariates
    pandas_inputs["cluster"] = cluster
    check_aligned(pandas_inputs)
    columns = {"x": as_1d_float(x, "x"), "m": as_1d_float(m, "m"), "y": as_1d_float(y, "y")}
    columns.update(_covariate_columns(covariates))
    n = check_same_length(**columns)
    names = list(columns)
    k = len(names) - 3
    n_params = 3 + k
    if n <= n_params:
        raise ValueError(
            f"x, m and y have {n} rows, fewer than needed for the model of y, which has "
            f"{n_params} parameters (intercept, x, m and {k} covariates): at least "
            f"{n_params + 1} rows are needed"
        )
    for name, values in columns.items():
        if np.all(values == values[0]):
            raise ValueError(f"{name} is constant (every value is {values[0]:g})")
    _check_rank(columns)

    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise TypeError(f"n_resamples must be an int, got {type(n_resamples).__name__}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    check_confidence_level(confidence_level)
    if hc is not None and str(hc).upper() not in _HC_TYPES:
        raise ValueError(f"hc must be None or one of {', '.join(_HC_TYPES)}, got {hc!r}")
    if ci_method not in _CI_METHODS:
        raise ValueError(f"ci_method must be one of {', '.join(_CI_METHODS)}, got {ci_method!r}")
    _check_cluster_settings(
        hc, bootstrap, wild_weights, wild_scale, has_cluster=cluster is not None
    )
    if batch is not None and batch < 1:
        raise ValueError(f"batch must be a positive int, got {batch!r}")
    generator, seed = as_generator(rng)

    codes, n_clusters, labels = (
        (None, None, None) if cluster is None else _cluster_codes(cluster, n, bootstrap)
    )
    # The canonical row order: np.lexsort sorts by its last key first, so this is by cluster,
    # then x, m, y and the covariates in turn.
    order_keys: list[npt.NDArray[Any]] = [columns[name] for name in reversed(names)]
    order_keys[-3:] = [columns["y"], columns["m"], columns["x"]]
    if codes is not None:
        order_keys.append(codes)
    order = np.lexsort(order_keys)
    covariate_matrix = np.column_stack([columns[name] for name in names[3:]]) if k else None
    return MediationInput(
        x=columns["x"][order],
        m=columns["m"][order],
        y=columns["y"][order],
        covariates=(np.empty((n, 0)) if covariate_matrix is None else covariate_matrix[order]),
        covariate_names=_covariate_names(covariates, k),
        cluster_codes=None if codes is None else codes[order],
        n_clusters=n_clusters,
        cluster_labels=labels,
        input_rows=order.astype(np.intp),
        n_resamples=int(n_resamples),
        confidence_level=float(confidence_level),
        generator=generator,
        seed=seed,
        hc=None if hc is None else str(hc).upper(),
        ci_method=ci_method,  # type: ignore[arg-type]  # checked against _CI_METHODS above
        bootstrap=bootstrap,  # type: ignore[arg-type]  # checked against _BOOTSTRAPS above
        wild_weights=(
            wild_weights or "webb" if bootstrap == "wild" else None  # type: ignore[arg-type]  # checked against _WILD_WEIGHTS above
        ),
        wild_scale=(
            wild_scale or "t" if bootstrap == "wild" else None  # type: ignore[arg-type]  # checked against _WILD_SCALES above
        ),
        batch=int(batch) if batch is not None else default_batch(n, n_resamples),
    )


def _check_cluster_settings(
    hc: str | None,
    bootstrap: str,
    wild_weights: str | None,
    wild_scale: str | None,
    *,
    has_cluster: bool,
) -> None:
    """Raise naming the setting that is out of range or that needs ``cluster``."""
    if bootstrap not in _BOOTSTRAPS:
        raise ValueError(f"bootstrap must be one of {', '.join(_BOOTSTRAPS)}, got {bootstrap!r}")
    for name, value, allowed in (
        ("wild_weights", wild_weights, _WILD_WEIGHTS),
        ("wild_scale", wild_scale, _WILD_SCALES),
    ):
        if value is None:
            continue
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
        if bootstrap != "wild":
            raise ValueError(
                f"{name}={value!r} applies only to bootstrap='wild', got bootstrap={bootstrap!r}"
            )
    if has_cluster:
        return
    if hc is not None and str(hc).upper() in CLUSTER_SE:
        raise ValueError(
            f"hc={hc!r} needs cluster: cluster-robust standard errors need each row's cluster "
            "label (cluster=...)"
        )
    if bootstrap == "wild":
        raise ValueError(
            "bootstrap='wild' needs cluster: the wild cluster bootstrap draws one weight per "
            "cluster (cluster=...); without clusters use bootstrap='pairs'"
        )


def _covariate_columns(
    covariates: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None,
) -> dict[str, FloatArray]:
    """Return the covariates as named 1-D columns, named as they appear in error messages."""
    if covariates is None:
        return {}
    if isinstance(covariates, Mapping):
        return {
            f"covariates[{key!r}]": as_1d_float(values, f"covariates[{key!r}]")
            for key, values in covariates.items()
        }
    columns = getattr(covariates, "columns", None)
    if columns is not None:  # a DataFrame: name columns by their labels
        return {
            f"covariates[{key!r}]": as_1d_float(covariates[key], f"covariates[{key!r}]")  # type: ignore[index]  # DataFrame column access
            for key in columns
        }
    matrix = as_2d_float(covariates, "covariates")
    return {f"covariates[:, {j}]": matrix[:, j] for j in range(matrix.shape[1])}


def _covariate_names(
    covariates: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None, k: int
) -> tuple[str, ...]:
    """Return the covariates' names: mapping keys or DataFrame columns, else cov1..covk."""
    if isinstance(covariates, Mapping):
        return tuple(str(key) for key in covariates)
    columns = getattr(covariates, "columns", None)
    if columns is not None:
        return tuple(str(key) for key in columns)
    return tuple(f"cov{j + 1}" for j in range(k))


def _check_rank(columns: dict[str, FloatArray]) -> None:
    """Raise naming the first column that is a linear combination of the ones before it."""
    names = ["x", "m", *list(columns)[3:]]
    values = np.column_stack([columns[name] for name in names])
    scaled = (values - values.mean(axis=0)) / values.std(axis=0)
    diagonal = np.abs(np.diag(np.linalg.qr(scaled, mode="r")))
    dependent = np.flatnonzero(diagonal < 1e-8 * math.sqrt(values.shape[0]))
    if dependent.size:
        j = int(dependent[0])
        raise ValueError(
            f"{names[j]} is a linear combination of the intercept and "
            f"{', '.join(names[:j])}; drop it or one of those"
        )


def _cluster_codes(
    cluster: npt.ArrayLike, n: int, bootstrap: str
) -> tuple[IntArray, int, npt.NDArray[Any]]:
    """Return each row's cluster number (by sorted label), the number of clusters and labels.

    Lists, NumPy arrays of any dtype, pandas Series (string, object or categorical) and
    Categoricals all come through ``np.asarray`` as the same labels, so they give the same
    numbers and therefore the same resamples.
    """
    labels = np.asarray(cluster)
    if labels.ndim != 1:
        raise ValueError(f"cluster must be one-dimensional, got shape {labels.shape}")
    if labels.shape[0] != n:
        raise ValueError(f"cluster has {labels.shape[0]} rows but x has {n}; lengths must match")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError("cluster contains missing labels (NaN)")
    if labels.dtype.kind == "O":
        missing = [i for i, label in enumerate(labels.tolist()) if _is_missing_label(label)]
        if missing:
            raise ValueError(
                f"cluster contains missing labels ({len(missing)} rows, the first at "
                f"position {missing[0]}); drop those rows or give them a label"
            )
    try:
        unique, codes = np.unique(labels, return_inverse=True)
    except TypeError:
        raise TypeError("cluster labels must be all numbers or all strings") from None
    if unique.size < 2:
        raise ValueError("cluster has a single cluster; resampling clusters needs at least two")
    if unique.size < _FEW_CLUSTERS:
        advice = (
            "cluster-robust intervals are unreliable, so read them"
            if bootstrap == "wild"
            else "the cluster bootstrap interval tends to be too narrow, so read it"
        )
        warnings.warn(
            f"cluster has only {unique.size} clusters; with fewer than {_FEW_CLUSTERS} "
            f"{advice} with caution",
            UserWarning,
            stacklevel=4,
        )
    return codes.astype(np.intp).reshape(-1), int(unique.size), unique


def _is_missing_label(label: object) -> bool:
    """Return True for None, NaN, pandas.NA and NaT (without importing pandas)."""
    if label is None:
        return True
    if isinstance(label, float | np.floating):
        return bool(np.isnan(label))
    return type(label).__name__ in {"NAType", "NaTType"}
