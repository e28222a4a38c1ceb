"""``tandem training reminders``: enqueue today's reminders to presenters (once a day)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from typing_extensions import override

from tandem.training.tasks import presenter_reminders


class Command(BaseCommand):
    help = "Training: 'reminders' enqueues the e-mails to the presenters of the coming sessions."

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["reminders"])

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        result = presenter_reminders.enqueue()
        self.stdout.write(f"enqueued presenter reminders {result.id}")
