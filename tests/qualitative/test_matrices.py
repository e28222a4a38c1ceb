"""Retrieval, case and cross-case matrices and co-occurrence against counts made by hand here."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tandem.accounts.models import User
from tandem.audit.models import Action, AuditEvent
from tandem.qualitative import matrices, tabular
from tandem.qualitative.matrices import Table
from tandem.qualitative.models import (
    AttributeDefinition,
    AttributeType,
    Case,
    CaseValue,
    Code,
    Coding,
    Document,
    DocumentSource,
)
from tandem.qualitative.selectors import ProjectAccess
from tests.conftest import LoginAs, World
from tests.qualitative.factories import ProjectSet

TEXT = "Word one, word two; the worker listened. " * 10  # 420 characters


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The results are read in English (a page opened before may leave French active)."""
    with translation.override("en"):
        yield


@dataclass
class Study:
    """A codebook two levels deep under categories, cases with a gender, and codings."""

    tree: dict[str, str | None]  # code name -> parent name
    codes: dict[str, Code]
    cases: dict[str, Case]
    gender: dict[str, str | None]
    documents: dict[int, str]  # document id -> case name
    rows: list[tuple[int, str, int, int, int]]  # document id, code name, start, end, coder id


def make_study(qual: ProjectSet, coders: list[User], *, n_cases: int, seed: int) -> Study:
    rng = random.Random(seed)
    project, lead = qual.project, qual.lead
    tree: dict[str, str | None] = {
        "Relationship": None,
        "Being heard": "Relationship",
        "Trust": "Relationship",
        "Listening": "Being heard",
        "Practical help": None,
        "Housing": "Practical help",
    }
    # The set's own two top-level codes are left out of the study.
    Code.objects.filter(project=project).update(is_archived=True)
    codes: dict[str, Code] = {}
    for position, (name, parent) in enumerate(tree.items()):
        codes[name] = Code.objects.create(
            project=project,
            name=name,
            parent=codes[parent] if parent else None,
            position=position,
            created_by=lead,
        )
    gender_attribute = qual.attribute
    cases, gender, documents = {}, {}, {}
    Document.objects.filter(project=project).update(is_archived=True)
    Case.objects.filter(project=project).update(is_archived=True)
    for index in range(n_cases):
        name = f"S{seed}-{index:02d}"
        case = Case.objects.create(project=project, name=name, created_by=lead)
        cases[name] = case
        value = rng.choice(["Woman", "Man", None])
        gender[name] = value
        if value is not None:
            CaseValue.objects.create(case=case, attribute=gender_attribute, text_value=value)
        for number in range(rng.choice([1, 2])):
            document = Document.objects.create(
                project=project,
                title=f"{name} interview {number}",
                case=case,
                text=TEXT,
                source=DocumentSource.PASTED,
                created_by=lead,
            )
            documents[document.pk] = name
    rows = []
    for document_id in documents:
        for _n in range(rng.randint(0, 5)):
            start = rng.randrange(0, len(TEXT) - 20)
            end = start + rng.randint(1, 60)
            end = min(end, len(TEXT))
            name = rng.choice(list(tree))
            coder = rng.choice(coders)
            Coding.objects.create(
                document_id=document_id, code=codes[name], start=start, end=end, coder=coder
            )
            rows.append((document_id, name, start, end, coder.pk))
    return Study(tree, codes, cases, gender, documents, rows)


def below(tree: dict[str, str | None], name: str) -> set[str]:
    """The code and its subcodes, from the test's own tree."""
    found = {name}
    changed = True
    while changed:
        more = {child for child, parent in tree.items() if parent in found} - found
        changed = bool(more)
        found |= more
    return found


def lead_access(qual: ProjectSet) -> ProjectAccess:
    return ProjectAccess(project=qual.project, role="lead")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cross_case_counts_equal_a_hand_count(world: World, qual: ProjectSet, seed: int) -> None:
    study = make_study(qual, [world.researcher, world.trainer], n_cases=9, seed=seed)
    result = matrices.cross_case_matrix(world.researcher, lead_access(qual), qual.attribute)
    groups = {group.label: group.total for group in result.groups}
    labels = [group.label for group in result.groups]
    for value in ("Woman", "Man"):
        if value in study.gender.values():
            assert groups[value] == list(study.gender.values()).count(value)
    assert result.total == len(study.cases)
    for row in result.rows:
        wanted = below(study.tree, row.code.name)
        coded = {study.documents[d] for d, name, *_rest in study.rows if name in wanted}
        assert row.overall == len(coded)
        for label, n in zip(labels, row.counts, strict=True):
            in_group = {c for c in coded if (study.gender[c] or "No value") == label}
            assert n == len(in_group), (row.code.name, label)
    # One coder's codings only.
    mine = matrices.cross_case_matrix(
        world.researcher, lead_access(qual), qual.attribute, coder=str(world.trainer.pk)
    )
    for row in mine.rows:
        wanted = below(study.tree, row.code.name)
        coded = {
            study.documents[d]
            for d, name, _s, _e, coder in study.rows
            if name in wanted and coder == world.trainer.pk
        }
        assert row.overall == len(coded)


def test_case_matrix_puts_each_excerpt_under_its_theme(world: World, qual: ProjectSet) -> None:
    study = make_study(qual, [world.researcher, world.trainer], n_cases=6, seed=7)
    result = matrices.case_matrix(world.researcher, lead_access(qual), level=1)
    assert [theme.name for theme in result.themes] == ["Being heard", "Trust", "Housing"]
    for row in result.rows:
        for theme, cell in zip(result.themes, row.cells, strict=True):
            wanted = below(study.tree, theme.name)
            expected = sorted(
                TEXT[s:e]
                for d, name, s, e, _coder in study.rows
                if name in wanted and study.documents[d] == row.case.name
            )
            assert sorted(excerpt.text for excerpt in cell) == expected
    # Level 0: the categories; codings of a category itself count under it.
    top = matrices.case_matrix(world.researcher, lead_access(qual), level=0)
    assert [theme.name for theme in top.themes] == ["Relationship", "Practical help"]
    total = sum(len(cell) for row in top.rows for cell in row.cells)
    assert total == len(study.rows)


def test_retrieval_follows_subcodes_attributes_and_coder(world: World, qual: ProjectSet) -> None:
    study = make_study(qual, [world.researcher, world.trainer], n_cases=8, seed=11)
    access = lead_access(qual)
    code = study.codes["Being heard"]

    def expected(
        names: set[str],
        keep_case: Callable[[str], bool] | None = None,
        coder: int | None = None,
    ) -> list[tuple[int, int, int]]:
        return sorted(
            (d, s, e)
            for d, name, s, e, c in study.rows
            if name in names
            and (keep_case is None or keep_case(study.documents[d]))
            and (coder is None or c == coder)
        )

    def got(result: matrices.Retrieval) -> list[tuple[int, int, int]]:
        return sorted((x.document_id, x.start, x.end) for x in result.excerpts)

    alone = matrices.coded_retrieval(world.researcher, access, code, include_descendants=False)
    assert got(alone) == expected({"Being heard"})
    assert all(x.text == TEXT[x.start : x.end] for x in alone.excerpts)
    nested = matrices.coded_retrieval(world.researcher, access, code)
    assert got(nested) == expected({"Being heard", "Listening"})
    women = matrices.coded_retrieval(
        world.researcher, access, code, attribute_filters={qual.attribute.pk: "Woman"}
    )
    assert got(women) == expected(
        {"Being heard", "Listening"}, keep_case=lambda c: study.gender[c] == "Woman"
    )
    theirs = matrices.coded_retrieval(world.researcher, access, code, coder=str(world.trainer.pk))
    assert got(theirs) == expected({"Being heard", "Listening"}, coder=world.trainer.pk)
    # A coder sees their own codings, whatever they ask for.
    coder_view = matrices.coded_retrieval(
        world.trainer, ProjectAccess(project=qual.project, role="coder"), code, coder=None
    )
    assert got(coder_view) == expected({"Being heard", "Listening"}, coder=world.trainer.pk)


def test_co_occurrence_counts_overlapping_pairs(world: World, qual: ProjectSet) -> None:
    study = make_study(qual, [world.researcher, world.trainer], n_cases=7, seed=5)
    result = matrices.co_occurrence(world.researcher, lead_access(qual))
    names = {code.pk: code.name for code in result.codes}
    for first in result.codes:
        for second in result.codes:
            if first.pk == second.pk:
                assert result.count(first, second) is None
                continue
            hand = sum(
                1
                for d1, n1, s1, e1, _c1 in study.rows
                for d2, n2, s2, e2, _c2 in study.rows
                if d1 == d2
                and n1 == names[first.pk]
                and n2 == names[second.pk]
                and s1 < e2
                and s2 < e1
            )
            assert result.count(first, second) == hand


def test_matrices_read_a_fixed_number_of_queries(world: World, qual: ProjectSet) -> None:
    access = lead_access(qual)

    def queries() -> list[int]:
        counts = []
        for run in (
            lambda: matrices.cross_case_matrix(world.researcher, access, qual.attribute),
            lambda: matrices.case_matrix(world.researcher, access),
            lambda: matrices.co_occurrence(world.researcher, access),
            lambda: matrices.coded_retrieval(
                world.researcher,
                access,
                Code.objects.get(project=qual.project, name="Relationship", is_archived=False),
            ),
        ):
            with CaptureQueriesContext(connection) as captured:
                run()
            counts.append(len(captured))
        return counts

    make_study(qual, [world.researcher], n_cases=2, seed=1)
    small = queries()
    more = make_study(qual, [world.researcher, world.trainer], n_cases=12, seed=2)
    assert len(more.rows) > 20
    assert queries() == small


# ---- exports ------------------------------------------------------------------------------------
DANGEROUS = ["=1+2", "+SUM(A1)", "-3+cmd", "@import", "\tx", "\rx"]


def test_formula_cells_are_neutralised_in_csv_and_xlsx() -> None:
    table = Table(header=["=head", "plain"], rows=[[value, 5] for value in DANGEROUS])
    read = list(csv.reader(io.StringIO(tabular.to_csv(table).decode("utf-8-sig"))))
    assert read[0] == ["'=head", "plain"]
    assert [row[0] for row in read[1:]] == ["'" + value for value in DANGEROUS]
    sheet = load_workbook(io.BytesIO(tabular.to_xlsx(table, "t"))).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["'=head", "plain"]
    assert [row[0] for row in values[1:]] == ["'" + value for value in DANGEROUS]
    assert [row[1] for row in values[1:]] == [5] * len(DANGEROUS)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    # Safe text is left alone.
    assert tabular.neutralised("Trust, 3") == "Trust, 3"
    assert tabular.neutralised(-3) == -3


def test_exports_hold_what_the_page_shows_and_are_audited(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    study = make_study(qual, [world.researcher, world.trainer], n_cases=5, seed=3)
    # An excerpt that a spreadsheet would run.
    document_id = next(iter(study.documents))
    doc = Document.objects.create(
        project=qual.project,
        title="Formula",
        case=study.cases["S3-00"],
        text='=HYPERLINK("x") said so',
        source=DocumentSource.PASTED,
        created_by=qual.lead,
    )
    Coding.objects.create(
        document=doc, code=study.codes["Trust"], start=0, end=15, coder=world.researcher
    )
    del document_id
    http = login_as(world.researcher)
    pk = qual.project.pk
    base = reverse("qualitative:retrieval", args=[pk])
    before = AuditEvent.objects.filter(action=Action.EXPORT).count()
    response = http.get(base, {"code": str(study.codes["Trust"].pk), "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = sum(1 for _d, name, *_r in study.rows if name == "Trust") + 1
    assert len(rows) == expected + 1
    assert '\'=HYPERLINK("x")' in [row[-1] for row in rows]
    cross = http.get(
        reverse("qualitative:cross_case", args=[pk]),
        {"attribute": str(qual.attribute.pk), "export": "xlsx"},
    )
    assert cross.status_code == 200
    sheet = load_workbook(io.BytesIO(cross.content)).active
    assert sheet is not None
    table = matrices.cross_case_matrix(world.researcher, lead_access(qual), qual.attribute).table()
    assert [[c.value for c in row] for row in sheet.iter_rows()][1:] == table.rows
    for name in ("case_matrix", "co_occurrence"):
        got = http.get(reverse(f"qualitative:{name}", args=[pk]), {"export": "csv"})
        assert got.status_code == 200
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == before + 4


def test_matrix_pages_show_the_counts(world: World, qual: ProjectSet, login_as: LoginAs) -> None:
    study = make_study(qual, [world.researcher], n_cases=4, seed=9)
    http = login_as(world.assessor)
    pk = qual.project.pk
    page = http.get(
        reverse("qualitative:cross_case", args=[pk]), {"attribute": qual.attribute.pk}
    ).content.decode()
    n = len({study.documents[d] for d, *_r in study.rows})
    assert f"{n} of {len(study.cases)}" in page
    for name in ("case_matrix", "co_occurrence", "retrieval"):
        assert http.get(reverse(f"qualitative:{name}", args=[pk])).status_code == 200
    bad = http.get(reverse("qualitative:case_matrix", args=[pk]), {"level": "x"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()


def test_an_attribute_of_another_type_groups_by_its_shown_value(
    world: World, qual: ProjectSet
) -> None:
    flag = AttributeDefinition.objects.create(
        project=qual.project, name="Peer worker", value_type=AttributeType.BOOLEAN
    )
    CaseValue.objects.create(case=qual.case, attribute=flag, boolean_value=True)
    Coding.objects.create(
        document=qual.document, code=qual.code, start=0, end=4, coder=world.researcher
    )
    result = matrices.cross_case_matrix(world.researcher, lead_access(qual), flag)
    assert [(g.label, g.total) for g in result.groups] == [("Yes", 1)]
    row = next(r for r in result.rows if r.code.pk == qual.code.pk)
    assert (row.counts, row.overall) == ([1], 1)


def test_the_retrieval_page_filters_by_attribute_value(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    study = make_study(qual, [world.researcher], n_cases=12, seed=2)
    code = study.codes["Trust"]
    page = login_as(world.researcher).get(
        reverse("qualitative:retrieval", args=[qual.project.pk]),
        {"code": str(code.pk), f"attribute_{qual.attribute.pk}": "Man"},
    )
    assert page.status_code == 200
    shown = page.content.decode()
    men = {
        d
        for d, name, *_r in study.rows
        if name == "Trust" and study.gender[study.documents[d]] == "Man"
    }
    others = {d for d in study.documents if study.gender[study.documents[d]] != "Man"}
    assert men  # the seed gives both
    assert others
    for document_id, name, *_rest in study.rows:
        title = Document.objects.get(pk=document_id).title
        if name == "Trust" and study.gender[study.documents[document_id]] == "Man":
            assert title in shown
        elif study.gender[study.documents[document_id]] != "Man":
            assert title not in shown


def test_all_coders_leave_out_consensus_codings_unless_asked(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    study = make_study(qual, [world.trainer], n_cases=0, seed=4)
    trust = study.codes["Trust"]
    names = ["P1", "P2", "P3"]
    docs = []
    for name in names:
        case = Case.objects.create(project=qual.project, name=name, created_by=qual.lead)
        docs.append(
            Document.objects.create(
                project=qual.project,
                title=name,
                case=case,
                text=TEXT,
                source=DocumentSource.PASTED,
                created_by=qual.lead,
            )
        )
    # The coder coded P1 and P2; the lead's consensus repeats P1 and stands alone in P3 (the
    # coder's coding there was removed after reconciling).
    for doc in docs[:2]:
        Coding.objects.create(document=doc, code=trust, start=0, end=10, coder=world.trainer)
    Coding.objects.create(
        document=docs[2], code=trust, start=0, end=10, coder=world.trainer, is_voided=True
    )
    for doc in (docs[0], docs[2]):
        Coding.objects.create(
            document=doc, code=trust, start=0, end=10, coder=world.researcher, is_consensus=True
        )
    access = lead_access(qual)

    def overall(coder: str | None) -> int:
        found = matrices.cross_case_matrix(world.researcher, access, qual.attribute, coder=coder)
        return next(row.overall for row in found.rows if row.code == trust)

    def excerpts(coder: str | None) -> int:
        return len(matrices.coded_retrieval(world.researcher, access, trust, coder=coder).excerpts)

    assert (overall(None), excerpts(None)) == (2, 2)
    assert (overall("consensus"), excerpts("consensus")) == (2, 2)
    assert (overall("with-consensus"), excerpts("with-consensus")) == (3, 4)
    # The pages say so, and count the same.
    http = login_as(world.assessor)
    url = reverse("qualitative:cross_case", args=[qual.project.pk])
    page = http.get(url, {"attribute": qual.attribute.pk}).content.decode()
    assert "All coders (without consensus codings)" in page
    assert "Consensus only" in page
    assert "without the consensus codings" in page
    assert "2 of 3" in page
    asked = http.get(url, {"attribute": str(qual.attribute.pk), "coder": "with-consensus"})
    assert "3 of 3" in asked.content.decode()
    only = http.get(
        url, {"attribute": str(qual.attribute.pk), "coder": "consensus"}
    ).content.decode()
    assert "2 of 3" in only
    retrieval = reverse("qualitative:retrieval", args=[qual.project.pk])
    shown = http.get(retrieval, {"code": trust.pk}).content.decode()
    assert shown.count("<figcaption>") == 2
    assert "· Consensus ·" not in shown
    shown = http.get(retrieval, {"code": str(trust.pk), "coder": "with-consensus"}).content.decode()
    assert shown.count("<figcaption>") == 4
    # In French too.
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = http.get(url, {"attribute": qual.attribute.pk}).content.decode()
    assert "Tous les codeurs (sans les codages de consensus)" in french
    assert "Consensus seulement" in french
