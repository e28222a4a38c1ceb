"""The settings of an analysis run: what the paper's pipeline estimates and how.

A run stores ``AnalysisSettings.to_dict()`` as JSON and rebuilds the settings with
``from_dict``; every value is checked when the settings are made, so a stored run can always
be run again.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Final, Literal

__all__ = [
    "BOOTSTRAP_METHODS",
    "EXPOSURE_DAYS",
    "RESERVED_COLUMNS",
    "AnalysisSettings",
]

BootstrapMethod = Literal["percentile", "bc", "bca"]

EXPOSURE_DAYS: Final = (90, 180, 270)
BOOTSTRAP_METHODS: Final = ("percentile", "bc", "bca")
# Columns of the data set that are the model's own variables or row keys, never covariates.
RESERVED_COLUMNS: Final = frozenset({"study_id", "wave", "wave_order", "exposure", "enrolled_on"})
MAX_IMPUTATIONS: Final = 100
MIN_RESAMPLES: Final = 100
MAX_RESAMPLES: Final = 100_000
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_COLUMN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True, kw_only=True)
class AnalysisSettings:
    """Every choice of one analysis run (PROCESS model 4 with covariates).

    ``mediator_instrument`` and ``outcome_instrument`` are instrument codes (the lower-case
    prefix of their data set columns); waves are wave codes. ``baseline_wave`` adds the outcome
    score at that wave as the covariate ``baseline``. ``covariates`` are data set columns:
    numeric ones enter as they are, string ones dummy-coded against their most frequent level.
    ``imputations`` 0 analyses complete cases; otherwise the mediator's items (and the other
    model variables) are imputed ``imputations`` times and the results pooled by Rubin's rules.
    ``bootstrap`` is the interval of the indirect effect; ``cluster_by_team`` resamples whole
    teams and gives the paths cluster-robust (CR2) standard errors.
    """

    exposure_days: int = 180
    mediator_instrument: str
    mediator_wave: str
    outcome_instrument: str
    outcome_score: str = "total"
    outcome_wave: str
    baseline_wave: str | None = None
    covariates: tuple[str, ...] = ()
    imputations: int = 20
    resamples: int = 5000
    bootstrap: BootstrapMethod = "percentile"
    cluster_by_team: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "covariates", tuple(self.covariates))
        _check_int("exposure_days", self.exposure_days)
        if self.exposure_days not in EXPOSURE_DAYS:
            raise ValueError(
                f"exposure_days must be one of {', '.join(map(str, EXPOSURE_DAYS))}, "
                f"got {self.exposure_days}"
            )
        for name in ("mediator_instrument", "outcome_instrument", "outcome_score"):
            _check_code(name, getattr(self, name))
        for name in ("mediator_wave", "outcome_wave"):
            _check_code(name, getattr(self, name))
        if self.baseline_wave is not None:
            _check_code("baseline_wave", self.baseline_wave)
            if self.baseline_wave == self.outcome_wave:
                raise ValueError("baseline_wave must differ from outcome_wave")
        if self.mediator_wave == self.baseline_wave:
            raise ValueError("mediator_wave must differ from baseline_wave")
        self._check_covariates()
        _check_int("imputations", self.imputations)
        if self.imputations == 1 or not 0 <= self.imputations <= MAX_IMPUTATIONS:
            raise ValueError(
                f"imputations must be 0 (complete cases) or 2 to {MAX_IMPUTATIONS}, "
                f"got {self.imputations}"
            )
        _check_int("resamples", self.resamples)
        if not MIN_RESAMPLES <= self.resamples <= MAX_RESAMPLES:
            raise ValueError(
                f"resamples must be {MIN_RESAMPLES} to {MAX_RESAMPLES}, got {self.resamples}"
            )
        if self.bootstrap not in BOOTSTRAP_METHODS:
            raise ValueError(
                f"bootstrap must be one of {', '.join(BOOTSTRAP_METHODS)}, got {self.bootstrap!r}"
            )
        if self.bootstrap == "bca" and self.imputations:
            # The stacked draws of several completed data sets have no single jackknife, so
            # there is no acceleration to give them.
            raise ValueError(
                "bootstrap='bca' needs complete cases (imputations=0); with multiple "
                "imputation choose 'percentile' or 'bc'"
            )
        if not isinstance(self.cluster_by_team, bool):
            raise TypeError(
                f"cluster_by_team must be a bool, got {type(self.cluster_by_team).__name__}"
            )
        _check_int("seed", self.seed)
        if not 0 <= self.seed < 2**63:
            raise ValueError(f"seed must be a non-negative int below 2**63, got {self.seed}")

    def _check_covariates(self) -> None:
        seen: set[str] = set()
        names: tuple[object, ...] = self.covariates  # stored settings may hold anything
        for name in names:
            if not isinstance(name, str) or not _COLUMN.match(name):
                raise ValueError(f"covariates: {name!r} is not a data set column name")
            if name in RESERVED_COLUMNS or name == "baseline":
                raise ValueError(f"covariates: {name!r} cannot be a covariate")
            if name in seen:
                raise ValueError(f"covariates: {name!r} is given twice")
            seen.add(name)

    @property
    def mediator_prefix(self) -> str:
        """The prefix of the mediator's item columns, ``"{instrument}_"``."""
        return f"{self.mediator_instrument}_"

    @property
    def outcome_column(self) -> str:
        """The data set column of the outcome score, ``"{instrument}_{score}"``."""
        return f"{self.outcome_instrument}_{self.outcome_score}"

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as JSON-ready values (the covariates as a list)."""
        out = asdict(self)
        out["covariates"] = list(self.covariates)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnalysisSettings:
        """Rebuild settings from ``to_dict()``; unknown keys raise ``ValueError``."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown analysis settings: {', '.join(unknown)}")
        values = dict(data)
        if "covariates" in values:
            values["covariates"] = tuple(values["covariates"])
        return cls(**values)


def _check_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")


def _check_code(name: str, value: object) -> None:
    if not isinstance(value, str) or not _CODE.match(value):
        raise ValueError(f"{name} must be a lower-case code (letters, digits, _), got {value!r}")
