"""``tandem serve`` starts gunicorn from Tandem's own environment, whatever PATH holds."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tandem.core.management.commands import serve

TANDEM = str(Path(sys.executable).with_name("tandem"))


class Exec:
    """Stands in for the os.exec* functions: records the program and its arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def __call__(self, program: str, argv: list[str]) -> None:
        self.calls.append((program, list(argv)))


def test_serve_execs_gunicorn_through_this_python_with_no_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: None)
    recorded = Exec()
    for name in ("execv", "execvp", "execve", "execvpe"):
        monkeypatch.setattr(os, name, recorded)
    call_command("serve", "--bind", "127.0.0.1:8123", "--workers", "3")
    ((program, argv),) = recorded.calls
    assert program == sys.executable
    assert argv[:3] == [sys.executable, "-m", "gunicorn"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "3"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _health(url: str, *, seconds: float) -> int | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own server
                status: int = answer.status
                return status
        except OSError:
            time.sleep(0.3)
    return None


def test_serve_answers_the_health_check_with_the_virtualenv_off_path(tmp_path: Path) -> None:
    port = _free_port()
    env: dict[str, Any] = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TANDEM_"))
    }
    env.update(
        PATH="/usr/bin:/bin",
        TANDEM_HOME=str(tmp_path),
        SECRET_KEY="k" * 60,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    server = subprocess.Popen(  # noqa: S603 - our own console script
        [TANDEM, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status = _health(f"http://127.0.0.1:{port}/health/", seconds=60)
    finally:
        server.terminate()
        _out, errors = server.communicate(timeout=30)
    assert status == 200, errors[-2000:]
