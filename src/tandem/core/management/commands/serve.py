"""``tandem serve``: run the application with gunicorn (production) on a host and port."""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from typing_extensions import override


class Command(BaseCommand):
    help = "Serve Tandem with gunicorn."

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        # gunicorn of this very Python (the virtualenv Tandem is installed in), found whether or
        # not that environment's bin/ is on PATH.
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "tandem.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--access-logformat",
            '%(t)s "%(m)s %(U)s" %(s)s %(L)ss',  # path without query string: no personal data
            "--logger-class",  # access lines (when enabled) without self-report link tokens
            "tandem.core.gunicorn_logging.RedactingLogger",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
