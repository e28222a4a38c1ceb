"""``tandem research export STUDY --format csv|sav|parquet --out DIR [--as EMAIL]``.

Builds the export with the services the pages use, at once rather than in the background, as
the person named by ``--as`` (default: the study's lead), who must be a member of the study:
the same rule as the download page. The file is named after the study's short name and the
date; the command prints its path, rows and hash. Errors are one line naming the argument.
"""

from __future__ import annotations

import shutil
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from tandem.accounts.models import User
from tandem.research.exports import selectors, services
from tandem.research.models import DatasetExport, ExportFormat, ExportStatus, MemberRole, Study


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("study", help="the study's id, or its short name (slug)")
    parser.add_argument("--format", required=True, choices=ExportFormat.values)
    parser.add_argument("--out", required=True, type=Path, help="the folder to write the file to")
    parser.add_argument(
        "--as", dest="as_email", help="e-mail of the member exporting (default: the study's lead)"
    )


def _study(key: str) -> Study:
    found = Study.objects.filter(pk=int(key)) if key.isdigit() else Study.objects.filter(slug=key)
    matches = list(found[:2])
    if not matches:
        raise CommandError(f"STUDY: no study with id or short name {key!r}")
    if len(matches) > 1:
        ids = ", ".join(str(s.pk) for s in found)
        raise CommandError(f"STUDY: several studies have the short name {key!r}; use an id ({ids})")
    return matches[0]


def _person(study: Study, email: str | None) -> User:
    if email:
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"--as: no active user with e-mail {email!r}")
        return user
    lead = (
        study.members.filter(role=MemberRole.LEAD, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if lead is None:
        raise CommandError("--as: the study has no lead; name a member with --as")
    return lead.user


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    study = _study(options["study"])
    user = _person(study, options["as_email"])
    if not selectors.may_download(user, study):
        raise CommandError(f"--as: {user.email} is not a member of study {study.pk}")
    out: Path = options["out"]
    if not out.is_dir():
        raise CommandError(f"--out: {out} is not a folder")
    try:
        export = services.request_export(
            actor=user, study=study, export_format=options["format"], enqueue=False
        )
    except PermissionDenied:
        raise CommandError(f"--as: {user.email} may not export study {study.pk}") from None
    status = services.run_export(export.pk)
    export = DatasetExport.objects.select_related("study").get(pk=export.pk)
    if status != ExportStatus.DONE:
        raise CommandError(f"export {export.pk} failed: {export.message}")
    download = services.open_export(actor=user, export=export)
    target = out / download.name
    try:
        with download.file as source, target.open("wb") as sink:
            shutil.copyfileobj(source, sink)
    except OSError as exc:
        raise CommandError(f"--out: {exc.strerror or exc}") from None
    command.stdout.write(f"{target}\nrows: {export.row_count}\nsha256: {export.sha256}")
