"""Multiple imputation by chained equations with predictive mean matching (statsmodels MICE)."""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from scipy import linalg
from scipy.linalg import lapack
from statsmodels.imputation.mice import MICEData
from statsmodels.regression.linear_model import OLS
from typing_extensions import override

from tandem.stats._common import FloatArray, ResultMixin, RngLike, as_generator

__all__ = ["ImputationResult", "impute"]

# statsmodels 0.15 added ``rng`` to MICEData; earlier releases draw the parameter perturbations
# and the predictive-mean-matching donors from numpy's legacy global RandomState.
_MICE_TAKES_RNG: Final = "rng" in inspect.signature(MICEData.__init__).parameters


@dataclass(frozen=True, slots=True)
class ImputationResult(ResultMixin):
    """Completed data sets from :func:`impute`.

    Attributes
    ----------
    datasets : tuple of pandas.DataFrame
        The ``m`` completed copies of the input frame (same index and columns; imputed columns
        are float64). Not in ``to_dict``.
    m : int
        Number of completed data sets.
    n_burnin : int
        Chained-equation cycles run before the first data set was kept.
    k_pmm : int
        Donors considered by predictive mean matching.
    seed : int or None
        The int seed given as ``rng``, else None.
    n_rows : int
    columns : tuple of str
        The columns in the imputation model, as ``str`` of their labels.
    n_missing : dict of str to int
        Missing values per column of the imputation model.
    fraction_missing : float
        Missing values over all cells of the imputation model.
    """

    datasets: tuple[pd.DataFrame, ...] = dataclasses.field(repr=False, compare=False)
    m: int
    n_burnin: int
    k_pmm: int
    seed: int | None
    n_rows: int
    columns: tuple[str, ...]
    n_missing: dict[str, int]
    fraction_missing: float

    @override
    def to_dict(self) -> dict[str, Any]:
        """Return the settings and missing-value counts, without the data sets."""
        out = ResultMixin.to_dict(self)
        del out["datasets"]
        return out


@dataclass(frozen=True, slots=True)
class _ImputeInput:
    frame: pd.DataFrame
    labels: tuple[Any, ...]
    values: FloatArray
    m: int
    n_burnin: int
    k_pmm: int
    generator: np.random.Generator
    seed: int | None


def impute(
    frame: pd.DataFrame,
    m: int = 20,
    rng: RngLike = None,
    *,
    n_burnin: int = 10,
    columns: Sequence[Any] | None = None,
    k_pmm: int = 20,
) -> ImputationResult:
    r"""Complete a data frame ``m`` times by chained equations with predictive mean matching.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows are cases; missing values are NaN (or ``pd.NA``). Impute at item level: give the
        item responses, not scale scores, and score each completed data set afterwards.
    m : int, default 20
        Completed data sets to return (at least 2).
    rng : int, numpy.random.Generator or None
        Seed or generator for the imputations.
    n_burnin : int, default 10
        Cycles through all incomplete columns before the first data set is kept.
    columns : sequence of labels, optional
        The columns of the imputation model: each incomplete one is imputed from all the
        others. Other columns (identifiers, labels) are copied unchanged. Default: every
        column, which must then all be numeric.
    k_pmm : int, default 20
        Donors among which predictive mean matching draws (statsmodels' default).

    Returns
    -------
    ImputationResult

    Raises
    ------
    TypeError
        ``frame`` is not a DataFrame, or a column of the model is not numeric.
    ValueError
        ``m < 2``, a negative ``n_burnin``, an unknown or repeated column, a column with no
        observed value or with infinite values, or a row with every model column missing.

    Notes
    -----
    The chain is statsmodels' ``MICEData`` with its defaults: every incomplete column, fewest
    missing first, is regressed by OLS on all other columns (main effects); the coefficients
    are drawn from their normal approximation :math:`\beta^* \sim N(\hat\beta,
    \widehat{\operatorname{Var}}(\hat\beta))`, and each missing value is replaced by the
    observed value of a donor drawn at random among the ``k_pmm`` cases whose predictions
    :math:`x_i^\top\beta^*` are nearest its own. Imputed values are therefore always values
    that were observed, so items stay on their response scale. As ``MICE.fit`` does, the
    chain runs ``n_burnin`` cycles and then keeps the data after each of ``m`` further cycles.

    Two shortcuts leave the imputations unchanged and make a cycle tens of times faster: the
    design matrices are sliced from an array instead of being built from the formula, and
    each conditional model is fitted by Cholesky on the normal equations instead of the
    pseudo-inverse (statsmodels' own fit takes over when predictors are collinear).

    Reproducibility: statsmodels 0.15 takes a ``Generator``, which is passed on. Earlier
    releases draw from numpy's legacy global ``RandomState``; with them the global state is
    seeded from ``rng`` for the duration of the call and restored afterwards, so a seed gives
    the same data sets and the caller's global stream is left as it was (the global state is
    shared, so do not impute from several threads at once with those releases).

    References
    ----------
    .. [1] van Buuren, S., & Groothuis-Oudshoorn, K. (2011). mice: Multivariate imputation by
           chained equations in R. *Journal of Statistical Software*, 45(3), 1-67.
    .. [2] Morris, T. P., White, I. R., & Royston, P. (2014). Tuning multiple imputation by
           predictive mean matching and local residual draws. *BMC Medical Research
           Methodology*, 14, 75.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from tandem import stats
    >>> gen = np.random.default_rng(3)
    >>> items = pd.DataFrame(gen.integers(1, 5, size=(40, 4)), columns=["q1", "q2", "q3", "q4"])
    >>> items = items.astype(float).mask(gen.random((40, 4)) < 0.1)
    >>> res = stats.impute(items, m=3, rng=7, n_burnin=2)
    >>> res.n_missing
    {'q1': 2, 'q2': 3, 'q3': 4, 'q4': 2}
    >>> [int(d.isna().sum().sum()) for d in res.datasets]
    [0, 0, 0]
    >>> sorted(set(res.datasets[0]["q2"]))
    [1.0, 2.0, 3.0, 4.0]
    """
    iv = _impute_iv(frame, m, rng, n_burnin, columns, k_pmm)
    work = pd.DataFrame(iv.values, columns=[f"v{j}" for j in range(iv.values.shape[1])])
    completed: list[FloatArray] = []
    with _seeded_statsmodels(iv.generator):
        chain = _NumpyDesignMICEData(
            work, k_pmm=iv.k_pmm, **({"rng": iv.generator} if _MICE_TAKES_RNG else {})
        )
        chain.update_all(iv.n_burnin)
        for _ in range(iv.m):
            chain.update_all(1)
            completed.append(chain.data.to_numpy(dtype=np.float64, copy=True))

    datasets = []
    for values in completed:
        out = iv.frame.copy()
        for j, label in enumerate(iv.labels):
            out[label] = values[:, j]
        datasets.append(out)
    missing = np.isnan(iv.values)
    return ImputationResult(
        datasets=tuple(datasets),
        m=iv.m,
        n_burnin=iv.n_burnin,
        k_pmm=iv.k_pmm,
        seed=iv.seed,
        n_rows=iv.values.shape[0],
        columns=tuple(str(label) for label in iv.labels),
        n_missing={str(lab): int(c) for lab, c in zip(iv.labels, missing.sum(axis=0), strict=True)},
        fraction_missing=float(missing.mean()),
    )


class _NumpyDesignMICEData(MICEData):  # type: ignore[misc]  # statsmodels ships no type hints
    """``MICEData`` whose default main-effects design is sliced from an array.

    The default conditional formula ``v ~ w1 + w2 + ...`` gives the design ``[1, w1, w2, ...]``
    in column order; building it through the formula machinery costs most of a cycle's time.
    """

    def _design(self, vname: str) -> tuple[FloatArray, FloatArray]:
        values = self.data.to_numpy(dtype=np.float64)
        j = self.data.columns.get_loc(vname)
        design = np.empty_like(values)
        design[:, 0] = 1.0
        design[:, 1 : j + 1] = values[:, :j]
        design[:, j + 1 :] = values[:, j + 1 :]
        return values[:, j], design

    @override
    def get_split_data(
        self, vname: str
    ) -> tuple[FloatArray, FloatArray, FloatArray, dict[str, Any], dict[str, Any]]:
        endog, design = self._design(vname)
        observed, missing = self.ix_obs[vname], self.ix_miss[vname]
        return endog[observed], design[observed], design[missing], {}, {}

    @override
    def get_fitting_data(
        self, vname: str
    ) -> tuple[FloatArray, FloatArray, dict[str, Any], dict[str, Any]]:
        endog, design = self._design(vname)
        observed = self.ix_obs[vname]
        return endog[observed], design[observed], {}, {}

    @override
    def _perturb_gaussian(self, vname: str) -> None:
        """Draw the OLS coefficients from their normal approximation, as statsmodels does.

        The fit solves the normal equations by Cholesky instead of the pseudo-inverse: the
        same estimate and covariance for a full-rank design, without two singular value
        decompositions per variable and cycle. A collinear design falls back to statsmodels.
        """
        endog, design, _, _ = self.get_fitting_data(vname)
        n, p = design.shape
        gram = design.T @ design
        try:
            factor = linalg.cho_factor(gram, lower=False)
        except linalg.LinAlgError:
            super()._perturb_gaussian(vname)
            return
        params = linalg.cho_solve(factor, design.T @ endog)
        resid = endog - design @ params
        scale = float(resid @ resid) / (n - p) if n > p else 0.0
        # potri inverts from the factor; unlike cho_solve with an identity right-hand side it
        # stays fast when a multithreaded BLAS competes for few cores.
        upper, _ = lapack.dpotri(factor[0], lower=False)
        inverse = np.triu(upper) + np.triu(upper, 1).T
        cov = scale * inverse
        self.models[vname] = OLS(endog, design)
        self.params[vname] = self.rng.multivariate_normal(mean=params, cov=cov)


@contextlib.contextmanager
def _seeded_statsmodels(generator: np.random.Generator) -> Iterator[None]:
    """Seed numpy's legacy global state from ``generator`` where statsmodels draws from it.

    Only needed for statsmodels releases whose ``MICEData`` has no ``rng`` argument; the
    caller's global state is restored on exit.
    """
    if _MICE_TAKES_RNG:
        yield
        return
    with _legacy_global_seed(int(generator.integers(2**32))):
        yield


@contextlib.contextmanager
def _legacy_global_seed(seed: int) -> Iterator[None]:
    """Seed numpy's legacy global ``RandomState`` inside the block, then restore it."""
    # The legacy global state is what older statsmodels draws from; it is restored, not kept.
    saved = np.random.get_state()  # noqa: NPY002
    np.random.seed(seed)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(saved)  # noqa: NPY002


def _impute_iv(
    frame: Any,
    m: Any,
    rng: RngLike,
    n_burnin: Any,
    columns: Sequence[Any] | None,
    k_pmm: Any,
) -> _ImputeInput:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    _check_int(m, "m", minimum=2)
    _check_int(n_burnin, "n_burnin", minimum=0)
    _check_int(k_pmm, "k_pmm", minimum=1)
    if frame.columns.has_duplicates:
        duplicated = frame.columns[frame.columns.duplicated()][0]
        raise ValueError(f"frame has more than one column named {duplicated!r}")
    if columns is None:
        labels = tuple(frame.columns)
    else:
        if isinstance(columns, str):
            raise TypeError("columns must be a sequence of column labels, not a string")
        labels = tuple(columns)
        for label in labels:
            if label not in frame.columns:
                raise ValueError(f"columns names {label!r}, which is not a column of frame")
        if len(set(labels)) != len(labels):
            raise ValueError("columns names a column more than once")
    if not labels:
        raise ValueError("columns is empty: the imputation model needs at least one column")
    if len(frame) < 2:
        raise ValueError(f"frame has {len(frame)} rows; imputation needs at least 2")

    values = np.empty((len(frame), len(labels)))
    for j, label in enumerate(labels):
        series = frame[label]
        if not pd.api.types.is_numeric_dtype(series.dtype):
            raise TypeError(
                f"column {label!r} is not numeric (dtype {series.dtype}); leave it out of "
                "columns or convert it"
            )
        column = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isinf(column).any():
            raise ValueError(f"column {label!r} contains infinite values")
        if np.isnan(column).all():
            raise ValueError(f"column {label!r} has no observed value and cannot be imputed")
        values[:, j] = column
    empty_rows = np.isnan(values).all(axis=1)
    if empty_rows.any():
        row = frame.index[int(np.flatnonzero(empty_rows)[0])]
        label = row.item() if isinstance(row, np.generic) else row
        raise ValueError(
            f"row {label!r} of frame has every column of the imputation model missing; drop it "
            "or add an observed column"
        )
    generator, seed = as_generator(rng)
    return _ImputeInput(
        frame=frame,
        labels=labels,
        values=values,
        m=int(m),
        n_burnin=int(n_burnin),
        k_pmm=int(k_pmm),
        generator=generator,
        seed=seed,
    )


def _check_int(value: Any, name: str, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
