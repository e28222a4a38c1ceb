"""The three least-squares fits of model 4, with OLS, HC or cluster-robust inference."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, special

from tandem.stats import _sandwich
from tandem.stats._common import FloatArray
from tandem.stats.mediation._inputs import CLUSTER_SE, MediationInput

__all__ = ["OlsFit", "ols", "path_fields"]


@dataclass(frozen=True, slots=True)
class OlsFit:
    """A least-squares fit of one of the three models, with its inference."""

    coef: FloatArray
    se: FloatArray
    t: FloatArray
    # Degrees of freedom of each coefficient's t test and interval: n - p for OLS and HC,
    # G - 1 for CR1, Satterthwaite's for CR2.
    df: FloatArray
    p: FloatArray
    cov: FloatArray
    r2: float
    ssr: float
    sst: float


def ols(design: FloatArray, response: FloatArray, iv: MediationInput) -> OlsFit:
    """Fit by least squares; standard errors, t, p and degrees of freedom as ``iv.hc`` says."""
    hc = iv.hc
    n, p = design.shape
    q, r = np.linalg.qr(design)
    coef = linalg.solve_triangular(r, q.T @ response)
    resid = response - design @ coef
    df = n - p
    df_coef = np.full(p, float(df))
    r_inv = np.linalg.inv(r)
    bread = r_inv @ r_inv.T
    if hc is None:
        cov = bread * float(resid @ resid) / df
    elif hc in CLUSTER_SE and iv.cluster_codes is not None and iv.n_clusters is not None:
        robust = _sandwich.cr1_covariance if hc == "CR1" else _sandwich.cr2_covariance
        cov, df_coef = robust(design, resid, bread, iv.cluster_codes, iv.n_clusters)
    else:
        leverage = np.einsum("ij,ij->i", q, q)
        omega = resid**2
        if hc == "HC1":
            omega = omega * n / df
        elif hc == "HC2":
            omega = omega / (1.0 - leverage)
        elif hc == "HC3":
            omega = omega / (1.0 - leverage) ** 2
        meat = (design * omega[:, None]).T @ design
        cov = bread @ meat @ bread
    se = np.sqrt(np.diag(cov))
    t = coef / se
    centred = response - response.mean()
    ssr = float(resid @ resid)
    sst = float(centred @ centred)
    return OlsFit(
        coef=coef,
        se=se,
        t=t,
        df=df_coef,
        p=2.0 * special.stdtr(df_coef, -np.abs(t)),
        cov=cov,
        r2=1.0 - ssr / sst,
        ssr=ssr,
        sst=sst,
    )


def path_fields(name: str, fit: OlsFit, column: int, confidence_level: float) -> dict[str, float]:
    coef, se, df = float(fit.coef[column]), float(fit.se[column]), float(fit.df[column])
    half_width = float(special.stdtrit(df, 0.5 + confidence_level / 2.0)) * se
    return {
        name: coef,
        f"{name}_se": se,
        f"{name}_t": float(fit.t[column]),
        f"{name}_df": df,
        f"{name}_p": float(fit.p[column]),
        f"{name}_ci_low": coef - half_width,
        f"{name}_ci_high": coef + half_width,
    }
