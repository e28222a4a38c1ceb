"""Coded retrieval, case and cross-case matrices, and code co-occurrence.

Each result is computed from a fixed number of queries, whatever the number of codes, cases,
documents and codings: the codebook, the cases with their values, the codings, and the text of
the documents whose excerpts are shown. A reader who codes sees only their own codings here, as
on the coding pages; leads and viewers see every coder's own codings, without the consensus
codings of reconciliation (which repeat coders' stretches), and may narrow to one coder (a token
of ``coders``, so imported coders stay distinct), to the consensus codings only, or ask for both
(``WITH_CONSENSUS``). Removed codings are never shown.

Every result turns into a ``Table`` (header and rows of plain values) for the CSV and XLSX
exports (``tabular``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.qualitative.coders import Coder, by_choice, coders_by_name
from tandem.qualitative.models import (
    AttributeDefinition,
    Case,
    CaseValue,
    Code,
    Coding,
    Document,
    ProjectRole,
)
from tandem.qualitative.selectors import ProjectAccess

# A cell of a table: what a spreadsheet cell may hold.
Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """A result as rows of plain values, first the header."""

    header: list[str]
    rows: list[list[Cell]]


# ---- the codebook and the coders ----------------------------------------------------------------
@dataclass(frozen=True)
class Codebook:
    """The project's current codes in tree order, with each code's depth and ancestors."""

    codes: list[Code]
    depth: dict[int, int]
    parent: dict[int, int | None]

    def by_id(self) -> dict[int, Code]:
        return {code.pk: code for code in self.codes}

    def descendants(self, code_id: int) -> set[int]:
        """The code and every code below it."""
        children: dict[int | None, list[int]] = defaultdict(list)
        for child, parent in self.parent.items():
            children[parent].append(child)
        found, todo = set(), [code_id]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(children.get(current, []))
        return found

    def ancestor_at(self, code_id: int, level: int) -> int | None:
        """The code's ancestor (or itself) at depth ``level``; None for a shallower code."""
        depth = self.depth.get(code_id)
        if depth is None or depth < level:
            return None
        current: int | None = code_id
        while current is not None and self.depth[current] > level:
            current = self.parent[current]
        return current

    def at_level(self, level: int) -> list[Code]:
        return [code for code in self.codes if self.depth[code.pk] == level]

    @property
    def max_depth(self) -> int:
        return max(self.depth.values(), default=0)


def codebook_of(access: ProjectAccess) -> Codebook:
    """The current (not archived) codes, in tree order, in one query."""
    codes = list(access.project.codes.filter(is_archived=False).order_by("position", "pk"))
    ids = {code.pk for code in codes}
    parent = {code.pk: (code.parent_id if code.parent_id in ids else None) for code in codes}
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        children[parent[code.pk]].append(code)
    ordered: list[Code] = []
    depth: dict[int, int] = {}

    def walk(node: int | None, level: int) -> None:
        for code in children.get(node, []):
            ordered.append(code)
            depth[code.pk] = level
            walk(code.pk, level + 1)

    walk(None, 0)
    return Codebook(codes=ordered, depth=depth, parent=parent)


def coders_of(access: ProjectAccess) -> list[Coder]:
    """Everyone who has coded in the project (their own live codings), by name."""
    return coders_by_name(Coding.objects.filter(document__project=access.project))


def effective_coder(user: User, access: ProjectAccess, coder: str | None) -> str | None:
    """The coder choice whose codings the reader sees: a coder sees only their own."""
    if access.role == ProjectRole.CODER:
        return Coder(user).token
    return coder


def _codings(access: ProjectAccess, coder: str | None) -> QuerySet[Coding]:
    return by_choice(
        Coding.objects.filter(
            document__project=access.project,
            document__is_archived=False,
            code__is_archived=False,
        ),
        coder,
    )


def _audit_list(user: User, access: ProjectAccess, what: str) -> None:
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="qualitative.coding",
        object_id=f"project:{access.project.pk}:{what}",
        agency_id=access.project.agency_id,
    )


# ---- cases and their attribute values -----------------------------------------------------------
def _cases(access: ProjectAccess) -> list[Case]:
    return list(access.project.cases.filter(is_archived=False).order_by("name", "pk"))


def _values(access: ProjectAccess) -> dict[int, dict[int, Any]]:
    """Case id -> attribute id -> value, in one query."""
    found: dict[int, dict[int, Any]] = defaultdict(dict)
    rows = CaseValue.objects.filter(case__project=access.project).select_related("attribute")
    for row in rows:
        found[row.case_id][row.attribute_id] = row.value
    return found


def shown_value(value: Any) -> str:
    """A value as the matrices group and filter by it (the same in every language): text,
    yes/no as ``true``/``false``, numbers as Python writes them, ISO dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def value_label(value: Any) -> str:
    """A value as the page shows it: yes or no, numbers and dates in the reader's language."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(formats.localize(value))


def attribute_choices(
    access: ProjectAccess,
) -> list[tuple[AttributeDefinition, list[tuple[str, str]]]]:
    """Each current attribute with the values its cases have, as (value, label), for filters."""
    attributes = list(access.project.attributes.filter(is_archived=False).order_by("position"))
    seen: dict[int, dict[str, Any]] = defaultdict(dict)
    for by_attribute in _values(access).values():
        for attribute_id, value in by_attribute.items():
            if shown_value(value):
                seen[attribute_id][shown_value(value)] = value
    return [
        (
            attribute,
            [(key, value_label(value)) for key, value in sorted(seen[attribute.pk].items())],
        )
        for attribute in attributes
    ]


# ---- coded retrieval ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Excerpt:
    coding_id: int
    document_id: int
    document_title: str
    case_name: str
    code_name: str
    coder_name: str
    start: int
    end: int
    text: str


def _excerpts(codings: Iterable[Coding]) -> list[Excerpt]:
    """Excerpts of codings fetched with their document (text deferred), code and coder; the
    texts of their documents are read in one more query."""
    codings = list(codings)
    texts = dict(
        Document.objects.filter(pk__in={c.document_id for c in codings}).values_list("pk", "text")
    )
    return [
        Excerpt(
            coding_id=coding.pk,
            document_id=coding.document_id,
            document_title=coding.document.title,
            case_name=coding.document.case.name if coding.document.case else "",
            code_name=coding.code.name,
            coder_name=_("Consensus") if coding.is_consensus else coding.coder_name,
            start=coding.start,
            end=coding.end,
            text=texts[coding.document_id][coding.start : coding.end],
        )
        for coding in codings
    ]


def _with_relations(codings: QuerySet[Coding]) -> QuerySet[Coding]:
    return codings.select_related("document", "document__case", "code", "coder").defer(
        "document__text"
    )


@dataclass(frozen=True)
class Retrieval:
    code: Code
    include_descendants: bool
    excerpts: list[Excerpt]

    def table(self) -> Table:
        return Table(
            header=[
                _("Code"),
                _("Document"),
                _("Case"),
                _("Coder"),
                _("Start"),
                _("End"),
                _("Excerpt"),
            ],
            rows=[
                [e.code_name, e.document_title, e.case_name, e.coder_name, e.start, e.end, e.text]
                for e in self.excerpts
            ],
        )


def coded_retrieval(
    user: User,
    access: ProjectAccess,
    code: Code,
    *,
    include_descendants: bool = True,
    coder: str | None = None,
    attribute_filters: dict[int, str] | None = None,
) -> Retrieval:
    """Every excerpt coded with ``code`` (and its subcodes), by document and position.

    ``attribute_filters`` maps an attribute id to a value (as ``shown_value`` writes it): only
    documents of cases with all these values are kept. Audited as a list of the codings.
    """
    _audit_list(user, access, "retrieval")
    ids = codebook_of(access).descendants(code.pk) if include_descendants else {code.pk}
    codings = _codings(access, effective_coder(user, access, coder)).filter(code_id__in=ids)
    if attribute_filters:
        values = _values(access)
        cases = [
            case_id
            for case_id, by_attribute in values.items()
            if all(
                shown_value(by_attribute.get(attribute_id)) == wanted
                for attribute_id, wanted in attribute_filters.items()
            )
        ]
        codings = codings.filter(document__case_id__in=cases)
    ordered = _with_relations(codings).order_by("document__title", "document_id", "start", "pk")
    return Retrieval(
        code=code, include_descendants=include_descendants, excerpts=_excerpts(ordered)
    )


# ---- case summary matrix ------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseRow:
    case: Case
    cells: list[list[Excerpt]]


@dataclass(frozen=True)
class CaseMatrix:
    level: int
    themes: list[Code]
    rows: list[CaseRow]

    def table(self) -> Table:
        return Table(
            header=[_("Case"), *(theme.name for theme in self.themes)],
            rows=[
                [row.case.name, *("\n\n".join(e.text for e in cell) for cell in row.cells)]
                for row in self.rows
            ],
        )


def case_matrix(
    user: User, access: ProjectAccess, *, level: int = 1, coder: str | None = None
) -> CaseMatrix:
    """Cases by the codes at depth ``level`` of the tree (0 = top; 1, the second level, are
    the themes under categories), each cell the excerpts coded with the theme or below it."""
    _audit_list(user, access, "case-matrix")
    codebook = codebook_of(access)
    themes = codebook.at_level(level)
    column = {theme.pk: index for index, theme in enumerate(themes)}
    cases = _cases(access)
    row_of = {case.pk: index for index, case in enumerate(cases)}
    cells: list[list[list[Excerpt]]] = [[[] for _theme in themes] for _case in cases]
    codings = _with_relations(
        _codings(access, effective_coder(user, access, coder)).filter(document__case_id__in=row_of)
    ).order_by("document__title", "document_id", "start", "pk")
    kept = []
    for coding in codings:
        theme = codebook.ancestor_at(coding.code_id, level)
        if theme is not None:
            kept.append((coding, column[theme]))
    for excerpt, (coding, index) in zip(_excerpts(c for c, _i in kept), kept, strict=True):
        cells[row_of[coding.document.case_id]][index].append(excerpt)  # type: ignore[index]  # filtered on case
    return CaseMatrix(
        level=level,
        themes=themes,
        rows=[CaseRow(case=case, cells=cells[row_of[case.pk]]) for case in cases],
    )


# ---- cross-case matrix --------------------------------------------------------------------------
@dataclass(frozen=True)
class Group:
    label: str
    total: int  # N: the cases in the group


@dataclass(frozen=True)
class CrossRow:
    code: Code
    depth: int
    counts: list[int]  # n per group, in the order of ``groups``
    overall: int
    groups: list[Group]

    @property
    def indent(self) -> str:
        return "\u00a0\u00a0" * self.depth

    @property
    def pairs(self) -> list[tuple[int, Group]]:
        return list(zip(self.counts, self.groups, strict=True))


@dataclass(frozen=True)
class CrossCaseMatrix:
    attribute: AttributeDefinition
    groups: list[Group]
    total: int
    rows: list[CrossRow]

    def table(self) -> Table:
        of = _("%(n)s of %(total)s")
        return Table(
            header=[
                _("Code"),
                *(group.label for group in self.groups),
                _("All cases"),
            ],
            rows=[
                [
                    "  " * row.depth + row.code.name,
                    *(
                        of % {"n": n, "total": group.total}
                        for n, group in zip(row.counts, self.groups, strict=True)
                    ),
                    of % {"n": row.overall, "total": self.total},
                ]
                for row in self.rows
            ],
        )


def cross_case_matrix(
    user: User,
    access: ProjectAccess,
    attribute: AttributeDefinition,
    *,
    coder: str | None = None,
) -> CrossCaseMatrix:
    """For each code and each value of ``attribute``: n of the N cases with that value which
    have a coding of the code or one of its subcodes in any of their documents (a case counts
    once per code). Cases without a value form their own group."""
    _audit_list(user, access, "cross-case")
    codebook = codebook_of(access)
    cases = _cases(access)
    values = _values(access)
    no_value = ""
    group_of: dict[int, str] = {}
    shown = {no_value: _("No value")}
    for case in cases:
        value = values.get(case.pk, {}).get(attribute.pk)
        group_of[case.pk] = shown_value(value)
        if group_of[case.pk]:
            shown[group_of[case.pk]] = value_label(value)
    labels = sorted({key for key in group_of.values() if key != no_value})
    if no_value in group_of.values():
        labels.append(no_value)
    pairs = (
        _codings(access, effective_coder(user, access, coder))
        .filter(document__case_id__in=group_of)
        .values_list("code_id", "document__case_id")
        .distinct()
    )
    # A code counts the cases coded with it or with any code below it.
    cases_of: dict[int, set[int]] = defaultdict(set)
    for code_id, case_id in pairs:
        current: int | None = code_id
        while current is not None and current in codebook.parent:
            cases_of[current].add(case_id)
            current = codebook.parent[current]
    groups = [
        Group(label=shown[key], total=sum(1 for g in group_of.values() if g == key))
        for key in labels
    ]
    rows = []
    for code in codebook.codes:
        coded = cases_of.get(code.pk, set())
        rows.append(
            CrossRow(
                code=code,
                depth=codebook.depth[code.pk],
                counts=[sum(1 for c in coded if group_of[c] == label) for label in labels],
                overall=len(coded),
                groups=groups,
            )
        )
    return CrossCaseMatrix(attribute=attribute, groups=groups, total=len(cases), rows=rows)


# ---- code co-occurrence -------------------------------------------------------------------------
@dataclass(frozen=True)
class CoOccurrence:
    codes: list[Code]
    depth: dict[int, int]
    counts: dict[tuple[int, int], int] = field(default_factory=dict)

    def count(self, first: Code, second: Code) -> int | None:
        if first.pk == second.pk:
            return None
        return self.counts.get((first.pk, second.pk), 0)

    def rows(self) -> list[tuple[Code, int, list[int | None]]]:
        return [
            (code, self.depth[code.pk], [self.count(code, other) for other in self.codes])
            for code in self.codes
        ]

    def table(self) -> Table:
        return Table(
            header=["", *(code.name for code in self.codes)],
            rows=[[code.name, *cells] for code, _depth, cells in self.rows()],
        )


def co_occurrence(user: User, access: ProjectAccess, *, coder: str | None = None) -> CoOccurrence:
    """Codes by codes: how many pairs of coded stretches, one of each code, overlap (share at
    least one character) in the same document. Symmetric; the diagonal is empty."""
    _audit_list(user, access, "co-occurrence")
    codebook = codebook_of(access)
    spans: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for document_id, code_id, start, end in _codings(
        access, effective_coder(user, access, coder)
    ).values_list("document_id", "code_id", "start", "end"):
        spans[document_id].append((start, end, code_id))
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for stretches in spans.values():
        stretches.sort()
        for index, (_start, end, code_id) in enumerate(stretches):
            for other_start, _other_end, other_code in stretches[index + 1 :]:
                if other_start >= end:
                    break
                if other_code != code_id:
                    counts[(code_id, other_code)] += 1
                    counts[(other_code, code_id)] += 1
    return CoOccurrence(codes=codebook.codes, depth=codebook.depth, counts=dict(counts))
