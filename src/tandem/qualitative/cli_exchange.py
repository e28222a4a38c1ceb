"""``tandem qda import`` and ``tandem qda export``: REFI-QDA files at the command line.

Both run the services the pages use. The command line acts as the installation's operator:
audit events have no actor, as the other commands' do. An imported project still needs a
lead: ``--lead EMAIL`` names them (someone who may start projects in the agency), and
without it the agency's first administrator (the earliest account) becomes lead.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from tandem.accounts.models import Membership, Role, User
from tandem.orgs.models import Agency
from tandem.qualitative.exchange import ExchangeError
from tandem.qualitative.models import Project
from tandem.qualitative.services import exchange as services

COUNTS = ("codes", "sources", "codings", "cases", "users")


def add_import_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the REFI-QDA project file (.qdpx)")
    parser.add_argument("--agency", required=True, help="short name (slug) of the agency")
    parser.add_argument("--name", help="title of the new project (default: the file's)")
    parser.add_argument("--lead", help="e-mail of the person who leads the new project")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def add_export_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("project", help="project id, or its title as a slug")
    parser.add_argument("out", type=Path, help="where to write the .qdpx file")


def _lead(agency: Agency, email: str | None) -> User:
    if email:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"--lead: no active user with e-mail {email!r}")
        return user
    first_admin = (
        Membership.objects.filter(agency=agency, role=Role.AGENCY_ADMIN, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    if first_admin is None:
        raise CommandError(f"--lead: agency {agency.slug!r} has no administrator; name a lead")
    return first_admin.user


def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
    path: Path = options["file"]
    agency = Agency.objects.filter(slug=options["agency"]).first()
    if agency is None:
        raise CommandError(f"--agency: no agency with short name {options['agency']!r}")
    lead = _lead(agency, options["lead"])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path.name}: {exc.strerror or exc}") from None
    try:
        project = services.import_project(
            user=lead, agency=agency, data=data, name=options["name"], from_command_line=True
        )
    except PermissionDenied:
        raise CommandError(
            f"--lead: {lead.email} may not start projects in agency {agency.slug!r}"
        ) from None
    except ExchangeError as error:
        problems = [
            {"code": p.code, "element": p.element, "line": p.line, "message": p.message}
            for p in error.problems
        ]
        if options["json"]:
            summary: dict[str, Any] = {
                "project": None,
                **dict.fromkeys(COUNTS, 0),
                "problems": problems,
            }
            command.stdout.write(json.dumps(summary, indent=2))
        else:
            for problem in error.problems:
                command.stderr.write(str(problem))
        raise CommandError(
            f"{path.name}: {len(problems)} problem(s); nothing was imported"
        ) from None
    counts = services.project_counts(project)
    if options["json"]:
        done: dict[str, Any] = {
            "project": project.pk,
            "slug": slugify(project.title),
            **counts,
            "problems": [],
        }
        command.stdout.write(json.dumps(done, indent=2))
        return
    command.stdout.write(
        f"imported project {project.pk} ({slugify(project.title)}), led by {lead.email}: "
        + ", ".join(f"{counts[name]} {name}" for name in COUNTS)
    )


def _project(key: str) -> Project:
    if key.isdigit():
        found = Project.objects.filter(pk=int(key)).first()
        if found is None:
            raise CommandError(f"PROJECT: no project with id {key}")
        return found
    matches = [p for p in Project.objects.all() if slugify(p.title) == key]
    if not matches:
        raise CommandError(f"PROJECT: no project whose title slug is {key!r}")
    if len(matches) > 1:
        ids = ", ".join(str(p.pk) for p in matches)
        raise CommandError(f"PROJECT: several projects have the slug {key!r}; use an id ({ids})")
    return matches[0]


def run_export(command: BaseCommand, options: dict[str, Any]) -> None:
    project = _project(options["project"])
    out: Path = options["out"]
    try:
        data = services.export_project(user=None, project=project)
    except ExchangeError as error:
        for problem in error.problems:
            command.stderr.write(str(problem))
        raise CommandError(f"project {project.pk} cannot be exported") from None
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"{out}: {exc.strerror or exc}") from None
    command.stdout.write(f"exported project {project.pk} to {out} ({len(data):,} bytes)")
