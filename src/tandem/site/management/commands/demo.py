"""``tandem demo``: migrate, load the synthetic demo agency, print the logins and serve it."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from tandem.audit.services import ensure_chain_head
from tandem.site.demo import load_demo


class Command(BaseCommand):
    help = "Load the synthetic demo agency and serve it on http://127.0.0.1:8000."

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Empty the database first.")
        parser.add_argument("--no-serve", action="store_true", help="Load, print logins, exit.")
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
            self.stdout.write(f"login: {login.role} {login.email} {login.password}")
        self.stdout.flush()
        if not options["no_serve"]:
            call_command("runserver", options["addrport"], use_reloader=False)
