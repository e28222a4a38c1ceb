"""``tandem analyze mediation`` loads only what mediation needs.

Importing scipy.stats, pandas and statsmodels takes seconds on a small machine, most of the run
time of a 5,000-resample mediation, and Django setup more; mediation needs none of them. Each
probe runs in a fresh interpreter and lists the modules loaded (no timing is asserted here:
``benchmarks/cli.py`` measures the time).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import tandem.stats

NOT_FOR_MEDIATION = ("scipy.stats", "statsmodels", "pandas", "pyreadstat", "django")


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
    done = subprocess.run(  # noqa: S603  # fixed argv
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=120
    )
    return set(done.stderr.split())


def _heavy(loaded: set[str]) -> set[str]:
    return {
        name
        for name in loaded
        for heavy in NOT_FOR_MEDIATION
        if name == heavy or name.startswith(heavy + ".")
    }


def test_importing_the_mediation_module_loads_no_heavy_module() -> None:
    loaded = _loaded_after("import tandem.stats.mediation")
    assert "scipy.linalg" in loaded  # the probe sees what mediation does load
    assert _heavy(loaded) == set()


def test_the_analyze_mediation_command_loads_no_heavy_module(tmp_path: Path) -> None:
    csv = tmp_path / "study.csv"
    rows = [f"{i % 7},{(i * 3) % 11},{(i * 5) % 13}" for i in range(40)]
    csv.write_text("x,m,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    argv = ["analyze", "mediation", str(csv), "--x", "x", "--m", "m", "--y", "y"]
    code = (
        "from tandem.cli import main\n"
        f"assert main({argv!r} + ['--resamples', '200', '--seed', '1', '--json']) == 0"
    )
    loaded = _loaded_after(code)
    assert "tandem.stats.mediation" in loaded
    assert _heavy(loaded) == set()


def test_the_other_analyses_still_load_scipy_stats_when_they_run(tmp_path: Path) -> None:
    csv = tmp_path / "pairs.csv"
    csv.write_text("a,b\n1,2\n2,4\n3,3\n4,7\n", encoding="utf-8")
    argv = ["analyze", "paired-t", str(csv), "--before", "a", "--after", "b"]
    loaded = _loaded_after(f"from tandem.cli import main\nassert main({argv!r}) == 0")
    assert "scipy.stats" in loaded
    assert "django" not in loaded


@pytest.mark.parametrize("name", sorted(tandem.stats.__all__))
def test_every_public_name_resolves_to_what_its_module_defines(name: str) -> None:
    value = getattr(tandem.stats, name)
    assert value.__name__ == name
    assert value.__module__.startswith("tandem.stats.")


def test_mediation_is_the_function_even_after_its_module_is_imported() -> None:
    loaded = _loaded_after(
        "import tandem.stats.mediation, tandem.stats.exposure\n"
        "from tandem.stats import exposure, mediation\n"
        "assert callable(mediation) and callable(exposure)\n"
        "assert mediation.__module__ == 'tandem.stats.mediation'"
    )
    assert "tandem.stats.exposure" in loaded
