"""Time the caseload, client, team and team dashboard pages on the demo agency, scaled up or not.

Run from the repository root (SQLite in a scratch folder by default; set ``DATABASE_URL`` for
PostgreSQL)::

    .venv/bin/python benchmarks/pages.py                      # 50,000 clients, 2 million contacts
    .venv/bin/python benchmarks/pages.py --clients 5000 --contacts 200000
    .venv/bin/python benchmarks/pages.py --clients 0          # the demo agency as `tandem demo`

The demo agency is loaded, then generated rows are bulk-inserted (no audit events for them):
teams of ten case managers with about twenty clients each, nine in ten episodes open, one
plan with two goals and two steps per open episode, and the contacts spread over the episodes.
Each page is then requested ``--samples`` times, by a different worker, client or team each time,
through Django's test client (the full middleware stack, audit writes included). Prints p50 and
p95 in milliseconds and the queries of the last request; the target is a p95 under 150 ms.

The team dashboard is timed cold (the cache emptied first, as after new data): the page, which
answers before its charts are drawn, then the chart requests the page makes (``hx-get``), one
after another, as their total; and warm (its charts cached for the data version, in the page).
Last comes the ratio of the team dashboard's cold page p50 to the caseload page's p50, its peer:
a supervisor's page should answer about as fast as a case manager's (target: at most
``TARGET_RATIO`` times).
"""

from __future__ import annotations

import argparse
import html
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

WORKERS_PER_TEAM = 10
CLIENTS_PER_WORKER = 20
BATCH = 5000
TARGET_RATIO = 3.0


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["TANDEM_HOME"] = tempfile.mkdtemp(prefix="tandem-bench-")
    os.environ.setdefault("TANDEM_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()


def scale_up(n_clients: int, n_contacts: int, seed: int) -> None:
    """Bulk-insert teams, workers, clients, episodes, plans and contacts into the demo agency."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from tandem.accounts.models import Membership, Role, User
    from tandem.clients.models import Client, Episode, EpisodeStatus
    from tandem.orgs.models import Agency, Programme, Team
    from tandem.practice.models import Contact, ContactMode, Goal, LifeDomain, RecoveryPlan, Step
    from tandem.site.demo import DEMO_PASSWORD, DEMO_SLUG

    rng = random.Random(seed)
    today = timezone.localdate()
    agency = Agency.objects.get(slug=DEMO_SLUG)
    programmes = list(Programme.objects.filter(agency=agency).order_by("pk"))
    password = make_password(DEMO_PASSWORD)
    n_teams = max(1, n_clients // (WORKERS_PER_TEAM * CLIENTS_PER_WORKER))
    teams = Team.objects.bulk_create(
        Team(programme=programmes[t % len(programmes)], name=f"Bench team {t}")
        for t in range(n_teams)
    )
    users = User.objects.bulk_create(
        User(
            email=f"bench{t}.{w}@riverbend.example",
            full_name=f"Bench Worker {t}-{w}",
            agency=agency,
            password=password,
        )
        for t in range(n_teams)
        for w in range(WORKERS_PER_TEAM + 1)
    )
    memberships = []
    workers: list[tuple[Team, User]] = []
    for t, team in enumerate(teams):
        group = users[t * (WORKERS_PER_TEAM + 1) : (t + 1) * (WORKERS_PER_TEAM + 1)]
        memberships.append(
            Membership(
                user=group[0],
                role=Role.SUPERVISOR,
                agency=agency,
                programme=team.programme,
                team=team,
            )
        )
        for worker in group[1:]:
            memberships.append(
                Membership(
                    user=worker,
                    role=Role.CASE_MANAGER,
                    agency=agency,
                    programme=team.programme,
                    team=team,
                )
            )
            workers.append((team, worker))
    Membership.objects.bulk_create(memberships)
    print(f"  {n_teams:,} teams, {len(workers):,} case managers", flush=True)

    episodes: list[Episode] = []
    for start in range(0, n_clients, BATCH):
        count = min(BATCH, n_clients - start)
        clients = Client.objects.bulk_create(
            Client(
                agency=agency,
                given_name=f"Given{start + i}",
                family_name=f"Bench{(start + i) % 997}",
                date_of_birth=today - timedelta(days=rng.randint(20 * 365, 70 * 365)),
            )
            for i in range(count)
        )
        rows = []
        for i, client in enumerate(clients):
            team, worker = workers[(start + i) % len(workers)]
            begin = today - timedelta(days=rng.randint(1, 700))
            is_open = rng.random() < 0.9
            rows.append(
                Episode(
                    client=client,
                    programme_id=team.programme_id,
                    team=team,
                    primary_case_manager=worker,
                    start_date=begin,
                    status=EpisodeStatus.OPEN if is_open else EpisodeStatus.CLOSED,
                    end_date=None if is_open else today,
                    discharge_reason="" if is_open else "goals_met",
                )
            )
        episodes.extend(Episode.objects.bulk_create(rows))
    print(f"  {n_clients:,} clients and episodes", flush=True)

    open_episodes = [e for e in episodes if e.status == EpisodeStatus.OPEN]
    plans = RecoveryPlan.objects.bulk_create(
        (
            RecoveryPlan(client_id=e.client_id, episode=e, updated_by_id=e.primary_case_manager_id)
            for e in open_episodes
        ),
        batch_size=BATCH,
    )
    domains = list(LifeDomain.values)
    goals = Goal.objects.bulk_create(
        (
            Goal(plan=plan, domain=domains[(plan.pk + g) % len(domains)], own_words="A goal")
            for plan in plans
            for g in range(2)
        ),
        batch_size=BATCH,
    )
    Step.objects.bulk_create(
        (
            Step(
                goal=goal,
                action="A step",
                responsible="Client",
                due_on=today + timedelta(days=rng.randint(-20, 40)),
            )
            for goal in goals
            for _ in range(2)
        ),
        batch_size=BATCH,
    )
    print(f"  {len(plans):,} plans, {len(goals):,} goals, {2 * len(goals):,} steps", flush=True)

    modes = [m.value for m in ContactMode]
    written = 0
    while written < n_contacts:
        count = min(BATCH * 4, n_contacts - written)
        batch = []
        for _ in range(count):
            episode = episodes[rng.randrange(len(episodes))]
            last = episode.end_date or today
            span = max(0, (last - episode.start_date).days)
            batch.append(
                Contact(
                    client_id=episode.client_id,
                    episode=episode,
                    worker_id=episode.primary_case_manager_id,
                    occurred_on=episode.start_date + timedelta(days=rng.randint(0, span)),
                    minutes=30,
                    mode=modes[rng.randrange(len(modes))],
                    with_whom="client",
                )
            )
        Contact.objects.bulk_create(batch)
        written += count
    print(f"  {n_contacts:,} contacts", flush=True)


def percentiles(times_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(times_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def time_pages(samples: int, seed: int) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    from tandem.accounts.models import Membership, Role, User
    from tandem.clients.models import Episode, EpisodeStatus

    rng = random.Random(seed + 1)
    case_managers = list(
        Membership.objects.filter(role=Role.CASE_MANAGER, team__isnull=False).values_list(
            "user_id", "team_id"
        )
    )
    supervisors = list(
        Membership.objects.filter(role=Role.SUPERVISOR, team__isnull=False).values_list(
            "user_id", "team_id"
        )
    )
    queries: dict[str, int] = {}

    charts: list[str] = []

    def timed(page: str, user_id: int, path: str, *, cold: bool = False) -> float:
        http = HttpClient()
        http.force_login(User.objects.get(pk=user_id))
        http.get(path)  # warm the session and caches for this user
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = http.get(path)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        queries[page] = len(captured.captured_queries)
        charts[:] = [
            html.unescape(found)
            for found in re.findall(
                r'hx-get="([^"]+/dashboard/chart/[^"]+)"', response.content.decode()
            )
        ]
        if cold:
            started = time.perf_counter()
            for chart in list(charts):
                if http.get(chart).status_code != 200:
                    raise SystemExit(f"{chart} failed")
            results["dashboard charts"].append((time.perf_counter() - started) * 1000)
        return elapsed

    pages = ("caseload", "client", "team", "dashboard cold", "dashboard charts", "dashboard warm")
    results: dict[str, list[float]] = {page: [] for page in pages}
    for _ in range(samples):
        user_id, _team = rng.choice(case_managers)
        results["caseload"].append(timed("caseload", user_id, "/caseload/"))
        episode = (
            Episode.objects.filter(primary_case_manager_id=user_id, status=EpisodeStatus.OPEN)
            .order_by("?")
            .first()
        )
        if episode is not None:
            path = f"/clients/{episode.client_id}/"
            results["client"].append(timed("client", user_id, path))
        supervisor_id, team_id = rng.choice(supervisors)
        results["team"].append(timed("team", supervisor_id, f"/teams/{team_id}/"))
        path = f"/teams/{team_id}/dashboard/"
        results["dashboard cold"].append(timed("dashboard cold", supervisor_id, path, cold=True))
        results["dashboard warm"].append(timed("dashboard warm", supervisor_id, path))
    for page, times_ms in results.items():
        p50, p95 = percentiles(times_ms)
        print(
            f"{page:16} n={len(times_ms):4}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"{queries.get(page, 0):3} queries"
        )
    ratio = percentiles(results["dashboard cold"])[0] / percentiles(results["caseload"])[0]
    met = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(
        f"team dashboard page (cold) / caseload page: ratio {ratio:.1f} x "
        f"(target <= {TARGET_RATIO:.0f} x: {met})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--contacts", type=int, default=2_000_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from tandem.site.demo import load_demo

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {platform.python_version()}, {engine}, load average {load:.2f}", flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_demo()
    if args.clients > 0:
        scale_up(args.clients, args.contacts, args.seed)
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
    time_pages(args.samples, args.seed)


if __name__ == "__main__":
    main()
