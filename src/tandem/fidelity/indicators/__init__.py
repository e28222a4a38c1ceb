"""Continuous fidelity indicators from routine data: definitions, nightly computation, views.

Public entry points: ``compute_indicators`` and ``backfill_indicators`` (the nightly task and
the CLI call them), the registry ``INDICATORS`` / ``get_indicator`` / ``indicators_for_domain``,
and for the team page ``team_indicators_for`` and ``refresh_team_indicators``.
"""

from tandem.fidelity.indicators.compute import backfill_indicators, compute_indicators
from tandem.fidelity.indicators.definitions import (
    DOMAIN_CODES,
    INDICATORS,
    IndicatorDefinition,
    TargetSource,
    Unit,
    get_indicator,
    indicators_for_domain,
)

__all__ = [
    "DOMAIN_CODES",
    "INDICATORS",
    "IndicatorDefinition",
    "TargetSource",
    "Unit",
    "backfill_indicators",
    "compute_indicators",
    "get_indicator",
    "indicators_for_domain",
]
