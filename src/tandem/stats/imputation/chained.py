"""Multiple imputation by chained equations with predictive mean matching, as R mice does."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from typing_extensions import override

from tandem.stats._common import FloatArray, ResultMixin, RngLike, as_generator

__all__ = ["ImputationResult", "impute"]

# mice's ridge: added as a fraction of the diagonal when the cross-product matrix is singular.
RIDGE: Final = 1e-5
# mice's remove.lindep: predictors with a smaller variance among the donors are left out, as
# are predictors correlated above MAX_CORRELATION with the column imputed.
LINDEP_EPS: Final = 1e-4
MAX_CORRELATION: Final = 0.99
# Below this ratio of its smallest to largest eigenvalue a cross-product matrix is singular.
_SINGULAR: Final = 1e-13


@dataclass(frozen=True, slots=True)
class ImputationResult(ResultMixin):
    """Completed data sets from :func:`impute`.

    Attributes
    ----------
    datasets : tuple of pandas.DataFrame
        The ``m`` completed copies of the input frame (same index and columns; imputed columns
        are float64). Not in ``to_dict``.
    m : int
        Number of completed data sets (independent chains).
    n_burnin : int
        Iterations each chain ran through the incomplete columns (mice's ``maxit``).
    k_pmm : int
        Donors among which predictive mean matching draws (mice's ``donors``).
    seed : int or None
        The int seed given as ``rng``, else None.
    n_rows : int
    columns : tuple of str
        The columns in the imputation model, as ``str`` of their labels.
    n_missing : dict of str to int
        Missing values per column of the imputation model.
    fraction_missing : float
        Missing values over all cells of the imputation model.
    n_ridge : int
        Conditional fits, over all chains, iterations and columns, whose cross-product matrix
        was singular and got mice's ridge penalty (mice logs these as "multi-collinear"); 0
        unless predictors are collinear or a column has fewer observed values than predictors.
    n_dropped : int
        Predictors left out of a conditional fit, counted over all chains, iterations and
        columns, because they were (nearly) constant among the donors or correlated above 0.99
        with the column imputed (mice's ``remove.lindep``).
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
    n_ridge: int
    n_dropped: int

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
    k_pmm: int = 5,
) -> ImputationResult:
    r"""Complete a data frame ``m`` times by chained equations with predictive mean matching.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows are cases; missing values are NaN (or ``pd.NA``). Impute at item level: give the
        item responses, not scale scores, and score each completed data set afterwards.
    m : int, default 20
        Completed data sets to return (at least 2), one per independent chain.
    rng : int, numpy.random.Generator or None
        Seed or generator for the imputations.
    n_burnin : int, default 10
        Iterations through all incomplete columns that each chain runs before its data set is
        kept (mice's ``maxit``, whose default is 5). With 0 the data sets hold the starting
        values: random draws from each column's observed values.
    columns : sequence of labels, optional
        The columns of the imputation model: each incomplete one is imputed from all the
        others. Other columns (identifiers, labels) are copied unchanged. Default: every
        column, which must then all be numeric.
    k_pmm : int, default 5
        Donors among which predictive mean matching draws (mice's ``donors``).

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
    The algorithm is R mice's default for numeric data, ``mice(method = "pmm")`` [1]_ [2]_.
    Each of the ``m`` chains starts from random draws of each column's observed values and
    then, ``n_burnin`` times, visits the incomplete columns from left to right. A visit to
    column :math:`y` with predictors :math:`X` (an intercept and every other column, as
    currently completed) and donors (the rows where :math:`y` was observed):

    1. fits :math:`y` on :math:`X` among the donors by least squares,
       :math:`\hat\beta = (X^\top X)^{-1} X^\top y` with residual sum of squares
       :math:`S` on :math:`\nu = \max(n_{obs} - p, 1)` degrees of freedom;
    2. draws the parameters from their posterior under a flat prior:
       :math:`\sigma^* = \sqrt{S / \chi^2_\nu}` and :math:`\beta^* = \hat\beta +
       \sigma^* L z` with :math:`L L^\top = (X^\top X)^{-1}`, :math:`z \sim N(0, I)`;
    3. matches (type 1): donors are predicted with :math:`\hat\beta`, the rows to impute with
       :math:`\beta^*`, and each missing value is replaced by the observed value of one donor
       drawn at random among the ``k_pmm`` whose predictions are nearest (ties in random
       order).

    Imputed values are therefore always values observed in the same column, so items stay on
    their response scale. Data set :math:`i` is chain :math:`i` after its last iteration.

    As in mice, predictors that are nearly constant among the donors (variance below 1e-4)
    or correlated above 0.99 with :math:`y` are left out of that fit (``n_dropped``), every
    predictor is left out when :math:`y` itself is nearly constant among the donors, and a
    singular :math:`X^\top X` gets the ridge :math:`10^{-5} \operatorname{diag}(X^\top X)`
    (``n_ridge``). Two details differ from mice, neither of which arises with full-rank
    designs: mice also drops predictors one by one while their correlation matrix is nearly
    singular, and it takes :math:`\hat\beta` from a pivoted QR fit when the ridge is
    needed, where here :math:`\hat\beta` is the ridge solution.

    Ten iterations by default, twice mice's default, because item-level models whose
    incomplete items predict each other converge more slowly than a single incomplete column.
    The chains run side by side: each visit fits all ``m`` models at once.

    References
    ----------
    .. [1] van Buuren, S., & Groothuis-Oudshoorn, K. (2011). mice: Multivariate imputation by
           chained equations in R. *Journal of Statistical Software*, 45(3), 1-67.
    .. [2] van Buuren, S. (2018). *Flexible Imputation of Missing Data* (2nd ed.), section
           3.4, "Predictive mean matching". Chapman & Hall/CRC.
    .. [3] Morris, T. P., White, I. R., & Royston, P. (2014). Tuning multiple imputation by
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
    chains = _Chains(iv.values, iv.m, iv.k_pmm, iv.generator)
    for _ in range(iv.n_burnin):
        chains.iterate()

    datasets = []
    for values in chains.data:
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
        n_ridge=chains.n_ridge,
        n_dropped=chains.n_dropped,
    )


class _Chains:
    """``m`` chains of predictive mean matching run side by side, as arrays ``(m, n, p)``."""

    def __init__(
        self, values: FloatArray, m: int, k_pmm: int, generator: np.random.Generator
    ) -> None:
        missing = np.isnan(values)
        self.visit = [j for j in range(values.shape[1]) if missing[:, j].any()]
        self.donors = {j: np.flatnonzero(~missing[:, j]) for j in self.visit}
        self.targets = {j: np.flatnonzero(missing[:, j]) for j in self.visit}
        self.k_pmm = k_pmm
        self.gen = generator
        self.n_ridge = 0
        self.n_dropped = 0
        self.data = np.repeat(values[None, :, :], m, axis=0)
        # Starting values: draws with replacement from the observed values (mice.impute.sample).
        for j in self.visit:
            observed = values[self.donors[j], j]
            draws = generator.integers(0, observed.size, (m, self.targets[j].size))
            self.data[:, self.targets[j], j] = observed[draws]

    def iterate(self) -> None:
        """Visit every incomplete column once, left to right, in every chain."""
        for j in self.visit:
            self._visit(j)

    def _visit(self, j: int) -> None:
        data, donors, targets = self.data, self.donors[j], self.targets[j]
        m, _, p = data.shape
        y = data[0, donors, j]  # observed values, the same in every chain
        # The design is the data with column j replaced by the intercept (the order of the
        # predictors does not change the fit).
        x_obs, x_mis = np.take(data, donors, axis=1), np.take(data, targets, axis=1)
        x_obs[:, :, j] = 1.0
        x_mis[:, :, j] = 1.0
        x_obs_t = x_obs.transpose(0, 2, 1)
        gram = np.matmul(x_obs_t, x_obs)
        xty = np.matmul(x_obs_t, y)
        on_diagonal = (slice(None), *np.diag_indices(p))

        # A left-out predictor gets a zero row and column with a unit diagonal, so the fit and
        # the draw are those of the other predictors; its coefficients are set to zero.
        drop = ~self._predictors_kept(gram, xty, y, j)
        n_drop = int(np.count_nonzero(drop))
        if n_drop:
            self.n_dropped += n_drop
            gram[drop[:, :, None] | drop[:, None, :]] = 0.0
            gram[on_diagonal] += drop
            xty[drop] = 0.0

        factor, singular = _cholesky(gram)
        if singular.any():
            self.n_ridge += int(np.count_nonzero(singular))
            gram[on_diagonal] *= np.where(singular[:, None], 1.0 + RIDGE, 1.0)
            factor, _ = _cholesky(gram)
        # (X'X)^-1 = L^-T L^-1, so L^-T is a square root of it for the parameter draw.
        root = np.linalg.inv(factor).transpose(0, 2, 1)
        coef = np.matmul(root, np.matmul(root.transpose(0, 2, 1), xty[:, :, None]))[:, :, 0]
        predicted_obs = np.matmul(x_obs, coef[:, :, None])[:, :, 0]
        resid = y - predicted_obs
        df = np.maximum(y.size - (p - drop.sum(axis=1)), 1)
        sigma = np.sqrt(np.einsum("ci,ci->c", resid, resid) / self.gen.chisquare(df))
        z = self.gen.standard_normal((m, p, 1))
        beta = coef + sigma[:, None] * np.matmul(root, z)[:, :, 0]
        beta[drop] = 0.0
        predicted_mis = np.matmul(x_mis, beta[:, :, None])[:, :, 0]
        donor = _match(predicted_obs, predicted_mis, self.k_pmm, self.gen)
        data[:, targets, j] = y[donor]

    @staticmethod
    def _predictors_kept(gram: FloatArray, xty: FloatArray, y: FloatArray, j: int) -> Any:
        """Return which predictors each chain keeps, by mice's ``remove.lindep`` first rules.

        Works from the cross-products, whose row ``j`` (the intercept) holds the column sums.
        """
        m, p, _ = gram.shape
        n_obs = y.size
        keep = np.zeros((m, p), dtype=bool)
        keep[:, j] = True
        y_centred = y - y.mean()
        y_ss = float(y_centred @ y_centred)
        if n_obs < 2 or y_ss / (n_obs - 1) < LINDEP_EPS:
            return keep
        sums = gram[:, j, :]
        x_ss = np.diagonal(gram, axis1=1, axis2=2) - sums**2 / n_obs
        cross = xty - sums * y.mean()
        with np.errstate(divide="ignore", invalid="ignore"):
            cor = cross / np.sqrt(np.clip(x_ss, 0.0, None) * y_ss)
        keep |= (x_ss / (n_obs - 1) > LINDEP_EPS) & (cor < MAX_CORRELATION)
        return keep


def _cholesky(gram: FloatArray) -> tuple[FloatArray, Any]:
    """Return lower Cholesky factors and which matrices are (numerically) singular.

    A matrix is singular when factoring fails or the squared ratio of its smallest to
    largest pivot is below ``_SINGULAR``; its factor is then not to be used.
    """
    factor: FloatArray
    try:
        factor = np.linalg.cholesky(gram).astype(np.float64, copy=False)
    except np.linalg.LinAlgError:
        factor = np.empty_like(gram)
        failed = np.zeros(gram.shape[0], dtype=bool)
        for c, matrix in enumerate(gram):
            try:
                factor[c] = np.linalg.cholesky(matrix)
            except np.linalg.LinAlgError:
                factor[c] = np.eye(matrix.shape[0])
                failed[c] = True
    else:
        failed = np.zeros(gram.shape[0], dtype=bool)
    pivots = np.abs(np.diagonal(factor, axis1=1, axis2=2))
    singular = failed | (pivots.min(axis=1) ** 2 <= _SINGULAR * pivots.max(axis=1) ** 2)
    return factor, singular


def _match(
    predicted_obs: FloatArray, predicted_mis: FloatArray, k: int, gen: np.random.Generator
) -> Any:
    """Return, per chain and row to impute, a donor drawn among the ``k`` nearest predictions.

    The donors are shuffled before they are sorted so that tied predictions come in an order
    set by the shuffle, not by the rows' order, as in mice's ``matchindex``. The ``k`` nearest
    of a target lie within ``k`` sorted positions of where it would be inserted, so only that
    window is compared.
    """
    m, n_obs = predicted_obs.shape
    k = min(k, n_obs)
    shuffle = gen.permuted(np.broadcast_to(np.arange(n_obs), (m, n_obs)), axis=1)
    order = np.take_along_axis(
        shuffle,
        np.argsort(np.take_along_axis(predicted_obs, shuffle, axis=1), axis=1),
        axis=1,
    )
    ranked = np.take_along_axis(predicted_obs, order, axis=1)
    insert = np.stack([np.searchsorted(ranked[c], predicted_mis[c], side="left") for c in range(m)])
    width = min(2 * k, n_obs)
    window = np.clip(insert - k, 0, n_obs - width)[:, :, None] + np.arange(width)
    chain = np.arange(m)[:, None, None]
    distance = np.abs(ranked[chain, window] - predicted_mis[:, :, None])
    nearest = np.argsort(distance, axis=2, kind="stable")[:, :, :k]
    pick = gen.integers(0, k, predicted_mis.shape)[:, :, None]
    position = np.take_along_axis(window, np.take_along_axis(nearest, pick, axis=2), axis=2)
    return order[chain[:, :, 0], position[:, :, 0]]


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
