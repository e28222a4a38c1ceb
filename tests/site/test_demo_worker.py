"""``tandem demo`` runs the background worker beside its server and stops it with the server."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from tandem.alerts.tasks import evaluate_score_alerts
from tandem.site.management.commands import demo as demo_command
from tandem.site.management.commands.demo import Command as DemoCommand
from tandem.site.worker import background_worker, worker_command

SLEEPER = [sys.executable, "-c", "print('ready', flush=True); import time; time.sleep(60)"]
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(60)",
]


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail("gave up waiting")


def test_the_workers_lines_are_prefixed_and_it_stops_with_the_block() -> None:
    out = io.StringIO()
    with background_worker(out=out, command=SLEEPER) as process:
        wait_for(lambda: "worker | ready\n" in out.getvalue())
        assert process.poll() is None
    assert process.returncode == -signal.SIGTERM


def test_the_worker_stops_when_the_server_fails() -> None:
    out = io.StringIO()
    started: list[subprocess.Popen[str]] = []

    def server_fails() -> None:
        with background_worker(out=out, command=SLEEPER) as process:
            started.append(process)
            wait_for(lambda: "ready" in out.getvalue())
            raise RuntimeError("the server could not start")

    with pytest.raises(RuntimeError):
        server_fails()
    assert started[0].returncode == -signal.SIGTERM


def test_a_worker_that_ignores_the_request_to_stop_is_killed() -> None:
    out = io.StringIO()
    with background_worker(out=out, command=STUBBORN, stop_timeout=0.5) as process:
        wait_for(lambda: "ready" in out.getvalue())
    assert process.returncode == -signal.SIGKILL


def test_the_worker_is_the_database_worker_without_a_reloader() -> None:
    command = worker_command()
    assert command[:4] == [sys.executable, "-m", "tandem.cli", "db_worker"]
    assert "--no-reload" in command


def database_url_of_the_test_database() -> str:
    """The test database as a ``DATABASE_URL`` for another process, on SQLite or PostgreSQL."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = quote(settings["PASSWORD"] or "", safe="")
    credentials = quote(settings["USER"] or "", safe="") + (f":{password}" if password else "")
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)  # the worker reads the queue from another process
def test_the_worker_runs_what_the_demo_enqueues() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tandem.settings",
        "DATABASE_URL": database_url_of_the_test_database(),
    }
    database_backend = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    with override_settings(TASKS=database_backend):
        result = evaluate_score_alerts.enqueue(team_ids=[])
    out = io.StringIO()
    with background_worker(out=out, env=env) as process:
        wait_for(lambda: DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL", seconds=120)
        assert process.poll() is None
    assert process.returncode == 0  # the database worker ends cleanly on SIGTERM
    assert "worker | " in out.getvalue()


def serve_and_record(seen: dict[str, Any], out: io.StringIO) -> Callable[[DemoCommand, str], None]:
    """Stands in for the development server: notes what runs while it would serve."""

    def serve(command: DemoCommand, addrport: str) -> None:
        seen["addrport"] = addrport
        seen["worker_running_while_serving"] = [p.poll() is None for p in seen["workers"]]
        if seen["workers"]:
            wait_for(
                lambda: "worker | " in out.getvalue() and "Starting worker" in out.getvalue(), 120
            )

    return serve


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Records the workers the demo starts; the worker child reads the test database."""
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "tandem.settings")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{connection.settings_dict['NAME']}")
    record: dict[str, Any] = {"workers": []}

    @contextmanager
    def recorded(**kwargs: Any) -> Iterator[subprocess.Popen[str]]:
        with background_worker(**kwargs) as process:
            record["workers"].append(process)
            yield process

    monkeypatch.setattr(demo_command, "background_worker", recorded)
    return record


@pytest.mark.demo
@pytest.mark.usefixtures("demo_db")
def test_the_demo_serves_with_its_worker_and_stops_it_after(
    monkeypatch: pytest.MonkeyPatch, seen: dict[str, Any]
) -> None:
    out = io.StringIO()
    monkeypatch.setattr(DemoCommand, "serve", serve_and_record(seen, out))
    call_command("demo", "--addrport", "127.0.0.1:8123", stdout=out)
    assert seen["addrport"] == "127.0.0.1:8123"
    assert seen["worker_running_while_serving"] == [True]
    # Stopped. (Not always cleanly here: the demo this test shares is an open transaction that
    # holds SQLite's write lock, so the worker may still wait on it when asked to stop;
    # test_the_worker_runs_what_the_demo_enqueues sees a clean stop.)
    assert seen["workers"][0].poll() is not None
    assert "login: case_manager" in out.getvalue()


@pytest.mark.demo
@pytest.mark.usefixtures("demo_db")
def test_the_demo_can_serve_without_its_worker(
    monkeypatch: pytest.MonkeyPatch, seen: dict[str, Any]
) -> None:
    out = io.StringIO()
    monkeypatch.setattr(DemoCommand, "serve", serve_and_record(seen, out))
    call_command("demo", "--no-worker", stdout=out)
    assert seen["workers"] == []
    assert "worker |" not in out.getvalue()
