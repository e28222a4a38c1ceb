"""``tandem demo``: migrate, load the synthetic demo agency, print the logins and serve it with
its background worker."""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from tandem.audit.services import ensure_chain_head
from tandem.site.demo import load_demo
from tandem.site.worker import background_worker


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """A SIGTERM leaves the server through ``finally`` blocks, so the worker is stopped too."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Command(BaseCommand):
    help = "Load the synthetic demo agency and serve it on http://127.0.0.1:8000."

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Empty the database first.")
        parser.add_argument("--no-serve", action="store_true", help="Load, print logins, exit.")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Serve without the background worker (run `tandem db_worker` yourself).",
        )
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TANDEM_ENV == "production":
            raise CommandError("the demo never runs with TANDEM_ENV=production")
        call_command("migrate", interactive=False, verbosity=0)
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
            ensure_chain_head()
            self.stdout.write("demo: database emptied")
        logins = load_demo()
        self.stdout.write(f"Tandem demo on http://{options['addrport']}/")
        for login in logins:
            where = f" ({login.programme})" if login.programme else ""
            purpose = f" — {login.purpose}" if login.purpose else ""
            self.stdout.write(f"login: {login.role} {login.email} {login.password}{purpose}{where}")
        self.stdout.flush()
        if options["no_serve"]:
            return
        worker = nullcontext() if options["no_worker"] else background_worker(out=self.stdout)
        with _sigterm_unwinds(), worker:
            if not options["no_worker"]:
                self.stdout.write("demo: background worker started (its lines start 'worker |')")
                self.stdout.flush()
            self.serve(options["addrport"])

    def serve(self, addrport: str) -> None:
        """Django's development server, in this process, until Ctrl-C or SIGTERM."""
        call_command("runserver", addrport, use_reloader=False)
