"""``tandem qda agreement PROJECT [--json]``: the agreement between a project's coders.

PROJECT is the project's id. Prints the per-code table (the two coders with most codings,
pooled over documents) and the overall kappa and alpha; exits 1 on an unknown project.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tandem.qualitative.agreement import project_agreement
from tandem.qualitative.models import Project
from tandem.stats import CodingAgreementResult


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("project", help="the project's id")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _counts(result: CodingAgreementResult) -> dict[str, Any]:
    return {
        "percent_agreement": result.percent_agreement,
        "kappa": result.kappa,
        "both": result.both,
        "a_only": result.a_only,
        "b_only": result.b_only,
        "neither": result.neither,
    }


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    given = str(options["project"])
    project = Project.objects.filter(pk=int(given)).first() if given.isdigit() else None
    if project is None:
        raise CommandError(f"project: no qualitative project with id {given!r}")
    found = project_agreement(project)
    if found is None:
        raise CommandError(f"project {project.pk}: fewer than two people coded, nothing to compare")
    summary = {
        "project": project.pk,
        "coder_a": found.coder_a.identity,
        "coder_b": found.coder_b.identity,
        "coders": [coder.identity for coder in found.coders],
        "codes": [{"code": row.code.name, **_counts(row.result)} for row in found.by_code],
        "overall": _counts(found.overall),
        "alpha": found.alpha,
    }
    if options["json"]:
        command.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    out = command.stdout
    out.write(f"{project.title}: {found.coder_a.identity} (A) and {found.coder_b.identity} (B)")
    header = f"{'code':<30} {'agree %':>8} {'kappa':>7} {'both':>8} {'A only':>8} "
    out.write(header + f"{'B only':>8} {'neither':>9}")
    rows = [(row.code.name, row.result) for row in found.by_code]
    rows.append(("(overall)", found.overall))
    for name, result in rows:
        out.write(
            f"{name[:30]:<30} {result.percent_agreement:>8.1f} {result.kappa:>7.3f} "
            f"{result.both:>8} {result.a_only:>8} {result.b_only:>8} {result.neither:>9}"
        )
    alpha = "n/a" if found.alpha is None else f"{found.alpha:.3f}"
    out.write(f"Krippendorff's alpha (nominal, {len(found.coders)} coders): {alpha}")
