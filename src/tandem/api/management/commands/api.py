"""``tandem api token create EMAIL --scopes read:clients,write:measures [--expires DAYS]``.

Prints a new token once, for automation. The same rules as the page: the scopes must be ones
the person's roles give on the pages. Errors are one line naming the argument, exit status 2.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from tandem.accounts.models import User
from tandem.api.services import create_token

_FLAGS = {"scopes": "--scopes", "expires_in_days": "--expires", "user": "EMAIL"}


class Command(BaseCommand):
    help = "Manage API tokens: `token create EMAIL --scopes ... [--expires DAYS]`."

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)
        token = kinds.add_parser("token", help="personal API tokens")
        actions = token.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a token and print it once")
        create.add_argument("email", help="the person the token acts as")
        create.add_argument(
            "--scopes", required=True, help="comma-separated, e.g. read:clients,write:measures"
        )
        create.add_argument("--expires", type=int, default=None, help="days until it expires")
        create.add_argument("--name", default="command line", help="what the token is for")

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"EMAIL: no account with the address {options['email']}")
        try:
            issued = create_token(
                actor=None,
                user=user,
                name=options["name"],
                scopes=options["scopes"],
                expires_in_days=options["expires"],
            )
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise CommandError(f"{_FLAGS.get(field, field)}: {' '.join(messages)}") from error
        self.stdout.write(issued.text)
