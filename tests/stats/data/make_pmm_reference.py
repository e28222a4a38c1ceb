"""Write ``pmm_reference.py``: R mice's multiple-imputation estimate of the a path per study.

Run from the repository root (R with the mice package is needed here only, not by the tests)::

    .venv/bin/python tests/stats/data/make_pmm_reference.py
    .venv/bin/ruff format tests/stats/data/pmm_reference.py

The studies come from ``pmm_studies.make_study`` (seeds ``SEEDS``). Each is written to a CSV
file (NaN as ``NA``) and ``make_pmm_reference.R`` imputes it with
``mice(method = "pmm", m = M, maxit = MAXIT, seed = <study seed>)``, scores the alliance scale
as the mean of its items in every completed data set, fits the a path with ``lm`` and averages
it over the ``M`` data sets; it also fits the a path on the complete cases. This script checks
that R's complete-case fit equals numpy's on the same data and stores the estimates with a
checksum of each study's CSV text, so that a test regenerating the studies can tell if they
drifted.
"""

from __future__ import annotations

import csv
import pprint
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from tests.stats.data import pmm_studies

SEEDS = tuple(range(14_300, 14_340))
M = 20
MAXIT = 10


def main() -> None:
    """Impute every study with R mice and write the reference values beside this script."""
    here = Path(__file__).parent
    checksums = {}
    complete_case = {}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for seed in SEEDS:
            frame = pmm_studies.make_study(seed)
            checksums[seed] = pmm_studies.checksum(frame)
            complete_case[seed] = pmm_studies.a_path(frame)
            frame.to_csv(directory / f"study_{seed}.csv", index=False, na_rep="NA")
        subprocess.run(  # noqa: S603  # fixed argv
            ["Rscript", str(here / "make_pmm_reference.R"), tmp, str(M), str(MAXIT)],  # noqa: S607
            check=True,
        )
        with (directory / "mice.csv").open(newline="") as handle:
            rows = {int(row["seed"]): row for row in csv.DictReader(handle)}
        versions = (directory / "versions.txt").read_text().strip()

    mice_imputed = {}
    for seed in SEEDS:
        np.testing.assert_allclose(float(rows[seed]["cc_a"]), complete_case[seed], rtol=1e-10)
        mice_imputed[seed] = float(rows[seed]["mi_a"])
    text = f'''"""R mice's estimates of the a path by predictive mean matching, written by a script.

Made by ``make_pmm_reference.py`` (which calls ``make_pmm_reference.R``) beside this file,
with {versions}; do not edit. For each study ``pmm_studies.make_study(seed)``: the a path
(fidelity on the mean alliance item, adjusting for age, gender and baseline) on complete
cases, and its mean over the ``M`` data sets completed by
``mice(method = "pmm", m = M, maxit = MAXIT, seed = seed)``, by seed. ``CHECKSUMS`` holds
``pmm_studies.checksum`` of each study as generated.
"""

M = {M}
MAXIT = {MAXIT}

CHECKSUMS: dict[int, str] = {pprint.pformat(checksums, width=96)}

COMPLETE_CASE_A: dict[int, float] = {pprint.pformat(complete_case, width=96)}

MICE_IMPUTED_A: dict[int, float] = {pprint.pformat(mice_imputed, width=96)}
'''
    (here / "pmm_reference.py").write_text(text)


if __name__ == "__main__":
    main()
