"""What importing the statistics library loads: numpy and scipy, not pandas or statsmodels."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "statsmodels", "django")


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys; {code}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run(  # noqa: S603  # fixed argv
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    )
    return {name.split(".")[0] for name in done.stdout.split()}


def test_importing_stats_loads_neither_pandas_nor_statsmodels_nor_django() -> None:
    loaded = _loaded_after("import tandem.stats; tandem.stats.reliable_change")
    assert loaded.isdisjoint(HEAVY)


def test_the_imputation_functions_load_pandas_on_first_use_and_never_statsmodels() -> None:
    loaded = _loaded_after("import tandem.stats; tandem.stats.impute")
    assert "pandas" in loaded
    assert loaded.isdisjoint({"statsmodels", "django"})
