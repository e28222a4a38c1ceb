"""The background worker as a child of ``tandem demo``: started with the server, stopped with it.

The demo is one command, so it runs django-tasks' database worker itself; without it, reports
and other background work would wait in the queue for ever. The worker's output reaches the
demo's own, each line prefixed, so that one terminal shows both.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Protocol

PREFIX = "worker | "
STOP_TIMEOUT_SECONDS = 10.0


class Sink(Protocol):
    """Where the worker's lines go: a text stream, or a management command's ``stdout``."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


def worker_command() -> list[str]:
    """``tandem db_worker`` with this interpreter; no autoreloader, whose child would outlive it."""
    return [
        sys.executable,
        "-m",
        "tandem.cli",
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "1",
    ]


def _relay(source: IO[str], out: Sink, prefix: str, lock: threading.Lock) -> None:
    for line in source:
        with lock:
            out.write(f"{prefix}{line.rstrip()}\n")
            out.flush()


def stop_worker(process: subprocess.Popen[str], *, timeout: float = STOP_TIMEOUT_SECONDS) -> int:
    """Ask the worker to finish its task and stop (SIGTERM); kill it if it does not in time."""
    if process.poll() is None:
        process.terminate()
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


@contextmanager
def background_worker(
    *,
    out: Sink,
    command: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    stop_timeout: float = STOP_TIMEOUT_SECONDS,
) -> Iterator[subprocess.Popen[str]]:
    """Run the worker (``worker_command()`` unless told otherwise) for the ``with`` block.

    The child shares the terminal's process group, so Ctrl-C reaches it too; leaving the block
    by any route (an exception, SystemExit from SIGTERM) stops it.
    """
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments, no shell
        list(command or worker_command()),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        env=dict(env if env is not None else os.environ),
    )
    if process.stdout is None:  # pragma: no cover - stdout=PIPE always gives one
        raise RuntimeError("the worker's output is not piped")
    relay = threading.Thread(
        target=_relay,
        args=(process.stdout, out, PREFIX, threading.Lock()),
        name="demo-worker-output",
        daemon=True,
    )
    relay.start()
    try:
        yield process
    finally:
        stop_worker(process, timeout=stop_timeout)
        relay.join(timeout=stop_timeout)
