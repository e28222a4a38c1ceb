"""Time the nightly fidelity indicators against one plain SQL pass over the contacts.

Run from the repository root (SQLite in a scratch folder by default; set ``DATABASE_URL`` for
PostgreSQL)::

    .venv/bin/python benchmarks/indicators.py                  # 50,000 clients, 2 million contacts
    .venv/bin/python benchmarks/indicators.py --home /tmp/bench  # keep (and next time reuse) SQLite
    .venv/bin/python benchmarks/indicators.py --clients 5000 --contacts 200000

The data come from ``benchmarks/pages.py`` (the demo agency scaled up: plans, goals, steps,
contacts over up to two years), with teams of 20 case managers of 25 clients each, so about
100 teams for 50,000 clients. On top: weekly group supervision and fortnightly individual
supervision for the last twelve weeks, a Strengths Assessment for most open episodes, recovery
plans updated at spread dates, and one step in three linked to a community resource. A database
that already holds the generated teams is reused as it is.

Then ``compute_indicators`` runs for today over every team (twice: cold, then warm), and one
``SELECT episode_id, COUNT(*), SUM(minutes) FROM practice_contact GROUP BY episode_id`` is timed
as the floor any contact aggregate pays. Prints both times, their ratio, the slowest queries of
the run, and whether the 60 s target was met. The 28-day window reads the contacts through
the ``contact_window_idx`` index (``occurred_on, episode_id, with_whom, mode``), which the
migrations create.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

TARGET_SECONDS = 60.0
# About 100 teams for 50,000 clients, as in a large provincial programme.
WORKERS_PER_TEAM = 20
CLIENTS_PER_WORKER = 25


def setup_django(home: str | None) -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["TANDEM_HOME"] = home or tempfile.mkdtemp(prefix="tandem-bench-")
    os.environ.setdefault("TANDEM_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent / "src"))
    sys.path.insert(0, str(here))
    import django

    django.setup()


def build(n_clients: int, n_contacts: int, seed: int) -> None:
    """The demo agency scaled up by benchmarks/pages.py, plus supervision and assessments."""
    import pages  # benchmarks/pages.py

    from tandem.site.demo import load_demo

    pages.WORKERS_PER_TEAM = WORKERS_PER_TEAM
    pages.CLIENTS_PER_WORKER = CLIENTS_PER_WORKER
    load_demo()
    pages.scale_up(n_clients, n_contacts, seed)
    add_fidelity_practice(seed)


def add_fidelity_practice(seed: int) -> None:
    from django.db.models import F
    from django.db.models.functions import Mod
    from django.utils import timezone

    from tandem.accounts.models import Membership, Role
    from tandem.clients.models import Episode, EpisodeStatus
    from tandem.orgs.models import Agency, Team
    from tandem.practice.models import (
        CommunityResource,
        RecoveryPlan,
        Step,
        StrengthsAssessment,
        SupervisionKind,
        SupervisionSession,
    )
    from tandem.site.demo import DEMO_SLUG

    rng = random.Random(seed + 2)
    today = timezone.localdate()
    now = timezone.now()
    agency = Agency.objects.get(slug=DEMO_SLUG)
    teams = list(Team.objects.filter(name__startswith="Bench team").order_by("pk"))
    members = Membership.objects.filter(team__in=teams).values_list("team_id", "user_id", "role")
    supervisor_of: dict[int, int] = {}
    workers_of: dict[int, list[int]] = {}
    for team_id, user_id, role in members:
        if role == Role.SUPERVISOR:
            supervisor_of[team_id] = user_id
        else:
            workers_of.setdefault(team_id, []).append(user_id)

    sessions: list[SupervisionSession] = []
    attendance: list[tuple[int, list[int]]] = []
    for team in teams:
        workers = workers_of.get(team.pk, [])
        for week in range(12):
            if rng.random() < 0.8:  # most weeks hold group supervision
                sessions.append(
                    SupervisionSession(
                        team=team,
                        kind=SupervisionKind.GROUP,
                        held_on=today - timedelta(days=7 * week + rng.randrange(7)),
                        supervisor_id=supervisor_of[team.pk],
                    )
                )
                attendance.append((len(sessions) - 1, workers))
        for worker in workers:
            for fortnight in range(6):
                if rng.random() < 0.7:
                    sessions.append(
                        SupervisionSession(
                            team=team,
                            kind=SupervisionKind.INDIVIDUAL,
                            held_on=today - timedelta(days=14 * fortnight + rng.randrange(14)),
                            supervisor_id=supervisor_of[team.pk],
                        )
                    )
                    attendance.append((len(sessions) - 1, [worker]))
    made = SupervisionSession.objects.bulk_create(sessions, batch_size=2000)
    through = SupervisionSession.attendees.through
    through.objects.bulk_create(
        (
            through(supervisionsession_id=made[index].pk, user_id=user_id)
            for index, users in attendance
            for user_id in users
        ),
        batch_size=5000,
    )
    print(f"  {len(made):,} supervision sessions", flush=True)

    open_episodes = Episode.objects.filter(team__in=teams, status=EpisodeStatus.OPEN).values_list(
        "pk", "client_id", "primary_case_manager_id"
    )
    assessments = [
        StrengthsAssessment(
            client_id=client_id,
            episode_id=pk,
            assessed_on=today - timedelta(days=rng.randrange(200)),
            author_id=worker_id,
        )
        for pk, client_id, worker_id in open_episodes
        if rng.random() < 0.85
    ]
    StrengthsAssessment.objects.bulk_create(assessments, batch_size=5000)
    print(f"  {len(assessments):,} Strengths Assessments", flush=True)

    # Spread the plans' last update over six months (bulk_create stamped them all "now").
    plans = RecoveryPlan.objects.annotate(bucket=Mod(F("id"), 6))
    for bucket in range(6):
        plans.filter(bucket=bucket).update(updated_at=now - timedelta(days=30 * bucket + 3))
    resources = CommunityResource.objects.bulk_create(
        CommunityResource(agency=agency, name=f"Bench resource {n}", kind="club") for n in range(20)
    )
    steps = Step.objects.annotate(bucket=Mod(F("id"), 3)).filter(bucket=0)
    steps.update(resource=resources[0])
    print("  plans updated over six months, one step in three uses a resource", flush=True)


def is_built() -> bool:
    from tandem.orgs.models import Team
    from tandem.practice.models import SupervisionSession

    return (
        Team.objects.filter(name__startswith="Bench team").exists()
        and SupervisionSession.objects.exists()
    )


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def time_sql_pass() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT episode_id, COUNT(*), SUM(minutes) FROM practice_contact GROUP BY episode_id"
        )
        rows = cursor.fetchall()
        elapsed = time.perf_counter() - started
    print(f"  plain SQL pass over the contacts: {elapsed:7.2f} s ({len(rows):,} episodes)")
    return elapsed


def time_indicators(label: str) -> float:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tandem.fidelity.indicators import compute_indicators

    reset_queries()  # the generator filled the development query log
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        written = compute_indicators(day=timezone.localdate())
        elapsed = time.perf_counter() - started
    print(
        f"  compute_indicators ({label}): {elapsed:7.2f} s, {written:,} values, "
        f"{len(captured)} queries"
    )
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for query in slowest:
        print(f"      {float(query['time']):6.2f} s  {query['sql'][:110]}")
    return elapsed


def report(indicators_s: float, sql_s: float) -> None:
    met = "met" if indicators_s < TARGET_SECONDS else "NOT met"
    print(
        f"indicators {indicators_s:.2f} s / SQL pass {sql_s:.2f} s = ratio "
        f"{indicators_s / sql_s:.2f}; target under {TARGET_SECONDS:.0f} s {met}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--contacts", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--home", help="SQLite folder to keep and reuse (default: a new one)")
    args = parser.parse_args()
    setup_django(args.home)
    from django.conf import settings
    from django.core.management import call_command

    from tandem.clients.models import Client
    from tandem.practice.models import Contact

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {platform.python_version()}, {engine}, load average {load:.2f}", flush=True)
    call_command("migrate", verbosity=0)
    if is_built():
        print("reusing the generated data", flush=True)
    else:
        started = time.perf_counter()
        build(args.clients, args.contacts, args.seed)
        print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
    analyze()
    print(f"{Client.objects.count():,} clients, {Contact.objects.count():,} contacts", flush=True)

    sql_s = time_sql_pass()
    time_indicators("cold")
    report(time_indicators("warm"), sql_s)


if __name__ == "__main__":
    main()
