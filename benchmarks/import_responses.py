"""Time the CSV import of 100,000 RPRS responses, checked, scored and stored, on SQLite and
PostgreSQL (target: under a minute each).

Run from the repository root::

    .venv/bin/python benchmarks/import_responses.py [--rows 100000] [--only sqlite|postgresql]

Each database runs in its own child process (Django's settings are fixed per process): SQLite in
a temporary file; PostgreSQL in a scratch database created for the run on the server named by
``BENCH_POSTGRES_URL`` (default: the local server over its Unix socket) and dropped afterwards.
The child migrates an empty database, makes one programme with 500 episodes, builds the CSV text
in memory, then times ``read_csv`` + ``import_responses`` (every cell checked, the whole file
scored with ``score_matrix``, ``bulk_create`` in batches of 2,000, one transaction).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres:///{name}?host=/var/run/postgresql"
TARGET_SECONDS = 60.0


def child(rows: int) -> None:
    """Set up Django on the database in ``DATABASE_URL`` and time one import."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    django.setup()
    from datetime import date, timedelta

    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    from tandem.accounts.models import Membership, Role, User
    from tandem.clients.models import Client, Episode
    from tandem.measures.importing import import_responses, read_csv
    from tandem.measures.models import Response
    from tandem.measures.registry import get_instrument
    from tandem.orgs.models import Agency, Programme, ProgrammeModel, Team

    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(name="Benchmark agency", slug="benchmark")
    programme = Programme.objects.create(agency=agency, name="P", model=ProgrammeModel.SMCM)
    team = Team.objects.create(programme=programme, name="T")
    manager = User.objects.create_user(email="manager@bench.example", password=None)
    Membership.objects.create(
        user=manager, role=Role.PROGRAMME_MANAGER, agency=agency, programme=programme
    )
    clients = Client.objects.bulk_create(
        Client(
            agency=agency, given_name=f"G{i}", family_name=f"F{i}", date_of_birth=date(1980, 1, 1)
        )
        for i in range(500)
    )
    episodes = Episode.objects.bulk_create(
        Episode(
            client=c,
            programme=programme,
            team=team,
            primary_case_manager=manager,
            start_date=date(2025, 1, 1),
        )
        for c in clients
    )
    rng = np.random.default_rng(2026)
    answers = rng.integers(1, 5, size=(rows, 24)).astype(str)
    answers[rng.random((rows, 24)) < 0.03] = ""
    # Each client answers once a day at most (a second same-day row is refused as a duplicate).
    pair = rng.permutation(rows)
    episode_ids = np.array([e.pk for e in episodes])[pair % len(episodes)]
    first = date(2026, 3, 1)
    days = [(first - timedelta(days=int(k) // len(episodes))).isoformat() for k in pair]
    header = ",".join(["episode_id", "completed_on", *(f"q{i}" for i in range(1, 25))])
    lines = [header]
    lines += [f"{episode_ids[i]},{days[i]}," + ",".join(answers[i]) for i in range(rows)]
    text = "\n".join(lines) + "\n"

    instrument = get_instrument("rprs")
    started = time.perf_counter()
    parsed_header, parsed_rows = read_csv(text)
    result = import_responses(
        actor=manager,
        programme=programme,
        instrument=instrument,
        header=parsed_header,
        rows=parsed_rows,
    )
    elapsed = time.perf_counter() - started
    assert result.is_ok, result.errors[:5]
    stored = Response.objects.count()
    assert stored == rows, stored
    vendor = connection.vendor
    print(
        f"{vendor:<11} {rows:>9,} responses  {elapsed:7.2f} s  {rows / elapsed:>10,.0f} /s  "
        f"{'within' if elapsed < TARGET_SECONDS else 'OVER'} the {TARGET_SECONDS:.0f} s target"
    )


def run_child(database_url: str, rows: int) -> int:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TANDEM_ENV": "development",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    }
    command = [sys.executable, __file__, "--child", "--rows", str(rows)]
    return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode  # noqa: S603


def postgres(rows: int) -> int:
    import psycopg

    name = f"tandem_bench_import_{os.getpid()}"
    template = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    admin_url = template.format(name="postgres")
    try:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"postgresql  skipped: cannot create a scratch database ({exc.__class__.__name__})")
        return 0
    try:
        return run_child(template.format(name=name), rows)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.rows)
        return
    print(f"python {platform.python_version()} on {platform.machine()}; RPRS, 24 items, 3% missing")
    status = 0
    if options.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            status |= run_child(f"sqlite:///{folder}/bench.sqlite3", options.rows)
    if options.only in (None, "postgresql"):
        status |= postgres(options.rows)
    sys.exit(status)


if __name__ == "__main__":
    main()
