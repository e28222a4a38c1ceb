"""Time ``tandem analyze mediation`` end to end against an equivalent pingouin script.

Run from the repository root::

    .venv/bin/python benchmarks/cli.py [--runs 5]

Both commands analyse the same synthetic CSV (the paper's shape: 311 clients in 14 teams, nine
covariates) with 5000 bootstrap resamples and print a table. Each run is a fresh interpreter,
so the times include start-up and imports, as a researcher at a terminal sees them. The two
commands alternate, so that a busy machine slows both alike, and the medians are compared.
The target is under one second for ``tandem analyze mediation``.
"""

from __future__ import annotations

import argparse
import csv
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N = 311
N_TEAMS = 14
N_COVARIATES = 9
N_RESAMPLES = 5000
TARGET_SECONDS = 1.0
COVARIATES = [f"c{i + 1}" for i in range(N_COVARIATES)]

PINGOUIN_SCRIPT = """
import sys
import pandas as pd
import pingouin
data = pd.read_csv(sys.argv[1], na_values=["", "NA"])
covariates = sys.argv[2].split(",")
data = data.dropna(subset=["fidelity", "alliance", "outcome", *covariates])
print(pingouin.mediation_analysis(
    data=data, x="fidelity", m="alliance", y="outcome", covar=covariates,
    n_boot=int(sys.argv[3]), seed=1,
).to_string())
"""


def write_study(path: Path, seed: int = 2024) -> None:
    """Write a study of 311 clients in 14 teams with paths a ≈ 0.6 and b ≈ 0.1 to ``path``."""
    gen = np.random.default_rng(seed)
    team = np.arange(N) % N_TEAMS
    covariates = gen.normal(size=(N, N_COVARIATES))
    covariates[:, :3] = gen.random((N, 3)) < 0.4  # binary: gender, housing, employment
    fidelity = gen.normal(28.0, 3.0, N_TEAMS)[team] + gen.normal(0.0, 1.0, N)
    alliance = 40.0 + 0.6 * fidelity + covariates @ gen.normal(0, 1, N_COVARIATES)
    alliance += gen.normal(0.0, 6.0, N)
    outcome = 1.0 + 0.1 * alliance + covariates @ gen.normal(0, 0.3, N_COVARIATES)
    outcome += gen.normal(0.0, 1.5, N)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["team", "fidelity", "alliance", "outcome", *COVARIATES])
        for i in range(N):
            values = [fidelity[i], alliance[i], outcome[i], *covariates[i]]
            writer.writerow([f"T{team[i] + 1:02d}", *(f"{v:.6g}" for v in values)])


def tandem_command(data: Path) -> list[str]:
    """Return the ``tandem analyze mediation`` command line for ``data``."""
    script = Path(sys.executable).with_name("tandem")
    start = [str(script)] if script.exists() else [sys.executable, "-m", "tandem.cli"]
    return [
        *start, "analyze", "mediation", str(data), "--x", "fidelity", "--m", "alliance",
        "--y", "outcome", "--covariates", ",".join(COVARIATES),
        "--resamples", str(N_RESAMPLES), "--seed", "1",
    ]  # fmt: skip


def pingouin_command(data: Path) -> list[str]:
    """Return the command line of the equivalent pingouin script for ``data``."""
    return [
        sys.executable, "-c", PINGOUIN_SCRIPT, str(data), ",".join(COVARIATES), str(N_RESAMPLES),
    ]  # fmt: skip


def wall_time(command: list[str]) -> float:
    """Run ``command`` to completion and return its wall-clock time in seconds."""
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=600)  # noqa: S603
    return time.perf_counter() - start


def main() -> None:
    """Print the median end-to-end time of both commands and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default 5)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "study.csv"
        write_study(data)
        ours, peer = tandem_command(data), pingouin_command(data)
        wall_time(ours)  # warm the file cache for both before timing
        wall_time(peer)
        tandem_times, pingouin_times = [], []
        for _ in range(runs):
            tandem_times.append(wall_time(ours))
            pingouin_times.append(wall_time(peer))
    tandem_median = statistics.median(tandem_times)
    pingouin_median = statistics.median(pingouin_times)
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(
        f"n = {N}, {N_TEAMS} teams, {N_COVARIATES} covariates, {N_RESAMPLES} resamples, "
        f"{runs} alternating runs each, end to end (start-up, imports, CSV, output)"
    )
    print(f"{'':24}{'median s':>10}{'min s':>8}{'max s':>8}")
    for name, times in (("tandem analyze", tandem_times), ("pingouin script", pingouin_times)):
        print(f"{name:24}{statistics.median(times):10.3f}{min(times):8.3f}{max(times):8.3f}")
    print(f"ratio pingouin / tandem: {pingouin_median / tandem_median:.1f}x")
    verdict = "met" if tandem_median < TARGET_SECONDS else "NOT met"
    print(f"target: tandem under {TARGET_SECONDS:.0f} s end to end: {verdict}")


if __name__ == "__main__":
    main()
