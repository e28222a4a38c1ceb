"""Agreement between coders of a project: Cohen's kappa per code and document, per code, overall,
and Krippendorff's alpha over every coder; and the stretches where two coders differ.

Every character of a document is a unit that each coder either coded with a code or not
(NVivo's method). Codes and documents are pooled by laying the documents end to end, one copy
of the project's text per code, so that the pooled 2x2 table is the sum of the tables of its
parts and kappa is computed from it by ``tandem.stats.coding_agreement``. Consensus codings
and removed codings take no part. Coders are told apart by ``coders.Coder`` (the user and the
imported coder's name), so the coders of an imported file are compared with each other.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.db.models import QuerySet

from tandem import stats
from tandem.qualitative.coders import Coder, CoderKey, of_coder, own_codings, ranked_coders
from tandem.qualitative.models import Code, Coding, Document, Project
from tandem.stats import CodingAgreementResult

Span = tuple[int, int]


@dataclass(frozen=True)
class AgreementRow:
    """Agreement of the two coders on one code, in one document or pooled over documents."""

    code: Code
    document: Document | None
    result: CodingAgreementResult


@dataclass(frozen=True)
class ProjectAgreement:
    """The agreement of coders A and B on a project's codes, and alpha over every coder."""

    coder_a: Coder
    coder_b: Coder
    coders: list[Coder]
    by_document: list[AgreementRow]
    by_code: list[AgreementRow]
    overall: CodingAgreementResult
    alpha: float | None


@dataclass(frozen=True)
class Difference:
    """A stretch ``[start, end)`` coded by either coder where their codings differ, with the
    stretches of each coder inside it."""

    start: int
    end: int
    spans_a: list[Span]
    spans_b: list[Span]


def compared_codings(project: Project) -> QuerySet[Coding]:
    """The coders' own codings of the project's active documents and codes."""
    return own_codings(
        Coding.objects.filter(
            document__project=project, document__is_archived=False, code__is_archived=False
        )
    ).only("document_id", "code_id", "coder_id", "coder_label", "start", "end")


def coders_by_codings(project: Project) -> list[tuple[Coder, int]]:
    """Everyone who coded in the project with their number of codings, most first."""
    return ranked_coders(compared_codings(project))


def _coverage(length: int, spans: Sequence[Span]) -> npt.NDArray[np.bool_]:
    covered = np.zeros(length, dtype=bool)
    for start, end in spans:
        covered[start:end] = True
    return covered


def _runs(covered: npt.NDArray[np.bool_], offset: int = 0) -> list[Span]:
    """The maximal stretches where ``covered`` is true, shifted by ``offset``."""
    edges = np.diff(np.concatenate(([0], covered.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return [(int(s) + offset, int(e) + offset) for s, e in zip(starts, ends, strict=True)]


def project_agreement(
    project: Project, coder_a: Coder | None = None, coder_b: Coder | None = None
) -> ProjectAgreement | None:
    """Kappa of coders A and B (by default the two with most codings) per code and document,
    per code and overall, and alpha over every coder; None when fewer than two people coded."""
    ranked = coders_by_codings(project)
    if len(ranked) < 2:
        return None
    coder_a = coder_a or ranked[0][0]
    coder_b = coder_b or next(coder for coder, _count in ranked if coder.key != coder_a.key)
    documents = list(
        Document.objects.filter(project=project, is_archived=False)
        .only("pk", "title", "char_count", "project_id")
        .order_by("title", "pk")
    )
    codes = list(Code.objects.filter(project=project, is_archived=False).order_by("name", "pk"))
    spans: dict[tuple[CoderKey, int, int], list[Span]] = defaultdict(list)
    for coding in compared_codings(project):
        spans[(coding.coder_key, coding.code_id, coding.document_id)].append(
            (coding.start, coding.end)
        )
    total = sum(d.char_count for d in documents)

    by_document = []
    by_code = []
    all_a: list[Span] = []
    all_b: list[Span] = []
    for code_index, code in enumerate(codes):
        pooled_a: list[Span] = []
        pooled_b: list[Span] = []
        offset = 0
        for document in documents:
            a = spans.get((coder_a.key, code.pk, document.pk), [])
            b = spans.get((coder_b.key, code.pk, document.pk), [])
            if a or b:
                result = stats.coding_agreement(document.char_count, a, b)
                by_document.append(AgreementRow(code=code, document=document, result=result))
            pooled_a += [(s + offset, e + offset) for s, e in a]
            pooled_b += [(s + offset, e + offset) for s, e in b]
            offset += document.char_count
        if pooled_a or pooled_b:
            by_code.append(
                AgreementRow(
                    code=code,
                    document=None,
                    result=stats.coding_agreement(total, pooled_a, pooled_b),
                )
            )
        shift = code_index * total
        all_a += [(s + shift, e + shift) for s, e in pooled_a]
        all_b += [(s + shift, e + shift) for s, e in pooled_b]
    overall = stats.coding_agreement(max(total * len(codes), 1), all_a, all_b)
    coders = [coder for coder, _count in ranked]
    return ProjectAgreement(
        coder_a=coder_a,
        coder_b=coder_b,
        coders=coders,
        by_document=by_document,
        by_code=by_code,
        overall=overall,
        alpha=_alpha(coders, codes, documents, spans),
    )


def _alpha(
    coders: list[Coder],
    codes: list[Code],
    documents: list[Document],
    spans: dict[tuple[CoderKey, int, int], list[Span]],
) -> float | None:
    """Krippendorff's alpha (nominal) over every coder: units are characters x codes, the
    value 1 where the coder coded the character with the code, else 0."""
    total = sum(d.char_count for d in documents)
    if not codes or total == 0:
        return None
    data = np.zeros((len(coders), len(codes) * total), dtype=np.uint8)
    for row, coder in enumerate(coders):
        for code_index, code in enumerate(codes):
            offset = code_index * total
            for document in documents:
                for start, end in spans.get((coder.key, code.pk, document.pk), []):
                    data[row, offset + start : offset + end] = 1
                offset += document.char_count
    try:
        alpha = stats.krippendorff_alpha(data, level="nominal").alpha
    except ValueError:
        return None  # nobody coded anything, or everyone coded everything
    return None if math.isnan(alpha) else alpha


def own_spans(document: Document, code: Code, coder: Coder) -> list[Span]:
    found = of_coder(Coding.objects.filter(document=document, code=code), coder.key)
    return list(found.values_list("start", "end"))


def differences(document: Document, code: Code, coder_a: Coder, coder_b: Coder) -> list[Difference]:
    """The stretches coded by either coder where they differ, in text order."""
    a = _coverage(document.char_count, own_spans(document, code, coder_a))
    b = _coverage(document.char_count, own_spans(document, code, coder_b))
    found = []
    for start, end in _runs(a | b):
        if np.array_equal(a[start:end], b[start:end]):
            continue
        found.append(
            Difference(
                start=start,
                end=end,
                spans_a=_runs(a[start:end], start),
                spans_b=_runs(b[start:end], start),
            )
        )
    return found
