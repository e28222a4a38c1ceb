"""``tandem research run STUDY [--seed N] [--json] [--as EMAIL]``: run the analysis now.

The run goes through the same service as the pages (queued, recorded, audited), then runs in
this process instead of the worker. STUDY is the study's id or short name.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from tandem.accounts.models import User
from tandem.research.analysis.result import AnalysisResult
from tandem.research.models import AnalysisRun, RunStatus, Study
from tandem.research.runs.execute import execute_run
from tandem.research.runs.services import queue_run
from tandem.research.spec import analysis_settings


class Writer(Protocol):
    def write(self, text: str) -> object: ...


def add_run_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("study", help="the study's id or short name")
    parser.add_argument("--seed", type=int, help="random seed (default: the study's)")
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    parser.add_argument(
        "--as",
        dest="as_email",
        help="e-mail of the member or administrator running it (default: the study's creator)",
    )


def find_study(key: str) -> Study:
    found = Study.objects.filter(pk=int(key)) if key.isdigit() else Study.objects.none()
    study = found.first() or Study.objects.filter(slug=key.lower()).order_by("pk").first()
    if study is None:
        raise CommandError(f"no study with id or short name {key!r}")
    if not key.isdigit() and Study.objects.filter(slug=key.lower()).count() > 1:
        raise CommandError(f"several studies are named {key!r}: give the study's id")
    return study


def run_command(options: dict[str, Any], out: Writer) -> None:
    study = find_study(str(options["study"]))
    email = options.get("as_email")
    actor = User.objects.filter(email__iexact=email).first() if email else study.created_by
    if actor is None:
        raise CommandError(f"no user with e-mail {email}")
    overrides = {} if options.get("seed") is None else {"seed": options["seed"]}
    try:
        settings = analysis_settings(study, **overrides)
        run = queue_run(actor=actor, study=study, settings=settings, enqueue=False)
    except (TypeError, ValueError) as exc:
        raise CommandError(f"the study's analysis cannot run: {exc}") from None
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None
    except PermissionDenied:
        raise CommandError(
            "this user is neither a member of the study nor its administrator"
        ) from None
    status = execute_run(run.pk)
    run = AnalysisRun.objects.get(pk=run.pk)
    if status != RunStatus.DONE or run.result is None:
        raise CommandError(f"run {run.number} failed: {run.error}")
    if options.get("json"):
        payload = {
            "run": run.number,
            "study": study.pk,
            "dataset_sha256": run.dataset_sha256,
            "data_version": run.data_version,
            "software_version": run.software_version,
            "result": run.result,
        }
        out.write(json.dumps(payload, indent=2, sort_keys=True) + "\n")
        return
    result = AnalysisResult.from_dict(run.result)
    ind = result.indirect
    out.write(
        f"run {run.number} of study {study.pk} ({study.slug}): done\n"
        f"indirect effect ab = {ind.estimate:.4f}, 95% CI [{ind.ci_low:.4f}, {ind.ci_high:.4f}]"
        f" ({ind.ci_method}, {ind.n_draws} draws)\n"
        f"completely standardised = {ind.std:.4f} [{ind.std_ci_low:.4f}, {ind.std_ci_high:.4f}]\n"
        f"n: enrolled {result.n.enrolled}, with data {result.n.with_data}, "
        f"complete {result.n.complete}, analysed {result.n.used}, imputed {result.n.imputed}\n"
        f"data set sha256 {run.dataset_sha256}\n"
    )
