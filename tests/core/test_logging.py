"""Log lines carry no self-report token, and a refused page logs one line without a traceback.

Output is read from the handlers themselves (their streams swapped for a buffer), so the test sees
what a development console or a production log would show, filters and formatters applied.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client as HttpClient
from pytest_django import Settings

from tests.conftest import LoginAs, World

TOKEN = "Zx9-secret_token_ABCdef0123456789abcdefghijkl"


def _handlers() -> list[logging.Handler]:
    """Every handler attached to any logger, except pytest's own capturing ones."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    found: list[logging.Handler] = []
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if not type(handler).__module__.startswith("_pytest") and handler not in found:
                found.append(handler)
    return found


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What every configured stream handler writes during the test."""
    buffer = io.StringIO()
    handlers = [h for h in _handlers() if isinstance(h, logging.StreamHandler)]
    assert handlers, "the settings configure at least one stream handler"
    # Assigned, not setStream(): that flushes the old stream, which an earlier test's output
    # capture may have closed.
    swapped = [(handler, handler.stream) for handler in handlers]
    for handler in handlers:
        handler.stream = buffer
    try:
        yield buffer
    finally:
        for handler, stream in swapped:
            handler.stream = stream


def test_every_log_handler_redacts_link_tokens() -> None:
    from tandem.core.logs import RedactLinkTokens

    unfiltered = [
        handler
        for handler in _handlers()
        # A library's NullHandler writes nothing anywhere.
        if not isinstance(handler, logging.NullHandler)
        and not any(isinstance(f, RedactLinkTokens) for f in handler.filters)
    ]
    assert unfiltered == []


@pytest.mark.django_db
def test_a_refused_link_is_logged_without_its_token(log_output: io.StringIO) -> None:
    assert HttpClient().get(f"/r/{TOKEN}/").status_code == 410
    logged = log_output.getvalue()
    assert "Gone: /r/<redacted>/" in logged
    assert TOKEN not in logged


@pytest.mark.django_db
def test_an_unknown_path_under_a_link_is_logged_without_its_token(
    log_output: io.StringIO,
) -> None:
    assert HttpClient().get(f"/r/{TOKEN}/more/").status_code == 404
    logged = log_output.getvalue()
    assert "Not Found: /r/<redacted>/more/" in logged
    assert TOKEN not in logged


def test_the_development_server_logs_requests_without_the_token(log_output: io.StringIO) -> None:
    # The development server's own access line (runserver), through its real logging call.
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None  # type: ignore[assignment]  # log_message never reads the request
    handler.log_message('"%s" %s %s', f"GET /r/{TOKEN}/ HTTP/1.1", "200", "1234")
    logged = log_output.getvalue()
    assert "GET /r/<redacted>/ HTTP/1.1" in logged
    assert TOKEN not in logged


def test_a_traceback_is_logged_without_the_token(log_output: io.StringIO) -> None:
    try:
        raise ValueError(f"cannot open /r/{TOKEN}/")
    except ValueError:
        logging.getLogger("tandem.test").exception("failed on /r/%s/", TOKEN)
    logged = log_output.getvalue()
    assert "Traceback" in logged
    assert "ValueError: cannot open /r/<redacted>/" in logged
    assert TOKEN not in logged


@pytest.mark.parametrize("debug", [False, True], ids=["production", "development"])
def test_a_missing_page_logs_one_line_without_a_traceback(
    world: World, login_as: LoginAs, log_output: io.StringIO, settings: Settings, debug: bool
) -> None:
    settings.DEBUG = debug
    assert login_as(world.case_manager).get("/clients/999999/").status_code == 404
    lines = log_output.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "Not Found: /clients/999999/" in lines[0]
    assert "Traceback" not in log_output.getvalue()


@pytest.mark.parametrize("debug", [False, True], ids=["production", "development"])
def test_a_forbidden_page_logs_one_line_without_a_traceback(
    world: World, login_as: LoginAs, log_output: io.StringIO, settings: Settings, debug: bool
) -> None:
    settings.DEBUG = debug
    assert login_as(world.researcher).get("/caseload/").status_code == 403
    lines = log_output.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "Forbidden" in lines[0]
    assert "Traceback" not in log_output.getvalue()


def _forget_gunicorn_handlers(logger: Any) -> None:
    """Undo what gunicorn's logger set up, so that later tests see Tandem's handlers only."""
    for log in (logger.error_log, logger.access_log):
        for handler in list(log.handlers):
            handler.close()
            log.removeHandler(handler)
        log.filters.clear()


def test_gunicorn_access_lines_carry_no_token(tmp_path: Path) -> None:
    from gunicorn.config import Config

    from tandem.core.gunicorn_logging import RedactingLogger

    access_log = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(access_log))
    # Everything gunicorn can print of a request: line, path, referrer, headers, environment.
    config.set("access_log_format", '"%(r)s" %(U)s %(f)s %({referer}i)s %({raw_uri}e)s %(s)s')
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/r/{TOKEN}/",
        "PATH_INFO": f"/r/{TOKEN}/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://tandem.example/r/{TOKEN}/",
    }
    request = SimpleNamespace(headers=[("REFERER", f"https://tandem.example/r/{TOKEN}/")])
    response = SimpleNamespace(status="410 Gone", sent=512, headers=[])
    try:
        logger.access(response, request, environ, timedelta(milliseconds=3))
    finally:
        _forget_gunicorn_handlers(logger)
    logged = access_log.read_text()
    assert "/r/<redacted>/" in logged
    assert TOKEN not in logged


def test_tandem_serve_runs_gunicorn_with_the_redacting_logger(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[list[str]] = []

    def exec_instead(_path: str, argv: list[str]) -> None:
        started.append(list(argv))

    monkeypatch.setattr(os, "execv", exec_instead)
    monkeypatch.setattr(os, "execvp", exec_instead)
    monkeypatch.setattr("tandem.core.management.commands.serve.call_command", lambda *a, **k: None)
    call_command("serve")
    (argv,) = started
    assert argv[argv.index("--logger-class") + 1] == "tandem.core.gunicorn_logging.RedactingLogger"
