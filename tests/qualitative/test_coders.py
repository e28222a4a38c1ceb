"""Coders told apart by user and imported name; removed and consensus codings in the matrices,
the retrieval and the exports; reconciling a stretch into neither coder's codings."""

from __future__ import annotations

import json
import uuid
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from tandem import stats
from tandem.audit.models import AuditEvent
from tandem.qualitative import exchange as refi
from tandem.qualitative import matrices
from tandem.qualitative.agreement import project_agreement
from tandem.qualitative.coders import CONSENSUS, WITH_CONSENSUS, Coder
from tandem.qualitative.models import ChangeKind, Coding, Document, ProjectChange
from tandem.qualitative.selectors import ProjectAccess
from tandem.qualitative.services import coding as coding_services
from tandem.qualitative.services import exchange as exchange_services
from tests.conftest import LoginAs, World
from tests.qualitative.factories import ProjectSet

TEXT = "The worker called back the same day. I felt heard, and we planned the week together. " * 4
SPANS_ANA = [(0, 36), (50, 90), (200, 260)]
SPANS_BEN = [(4, 36), (120, 160), (210, 250), (300, 330)]


def _guid() -> str:
    return str(uuid.uuid4())


def two_coder_file() -> bytes:
    """A .qdpx whose two coders, Ana Imported and Ben Imported, are no Tandem users."""
    ana, ben, code = _guid(), _guid(), _guid()
    codings = tuple(
        refi.Coding(guid=_guid(), code_guid=code, start=s, end=e, creating_user_guid=who)
        for who, spans in ((ana, SPANS_ANA), (ben, SPANS_BEN))
        for s, e in spans
    )
    project = refi.Project(
        name="Two outside coders",
        users=(refi.User(guid=ana, name="Ana Imported"), refi.User(guid=ben, name="Ben Imported")),
        codes=(refi.Code(guid=code, name="Being heard"),),
        sources=(refi.Source(guid=_guid(), name="Interview", text=TEXT, codings=codings),),
    )
    return refi.write_qdpx(project)


def test_imported_coders_stay_distinct_in_agreement_and_matrices(
    world: World, login_as: LoginAs
) -> None:
    project = exchange_services.import_project(
        user=world.researcher, agency=world.agency, data=two_coder_file()
    )
    assert world.researcher.full_name not in ("Ana Imported", "Ben Imported")
    found = project_agreement(project)
    assert found is not None
    assert {coder.full_name for coder in found.coders} == {"Ana Imported", "Ben Imported"}
    assert {found.coder_a.user, found.coder_b.user} == {world.researcher}
    by_name = {"Ana Imported": SPANS_ANA, "Ben Imported": SPANS_BEN}
    document = Document.objects.get(project=project)
    expected = stats.coding_agreement(
        len(TEXT), by_name[found.coder_a.full_name], by_name[found.coder_b.full_name]
    )
    assert [row.result for row in found.by_document] == [expected]
    assert found.overall == expected
    # The page offers both, and the command names both.
    page = login_as(world.researcher).get(reverse("qualitative:agreement", args=[project.pk]))
    html = page.content.decode()
    assert "Ana Imported (3)" in html
    assert "Ben Imported (4)" in html
    out = StringIO()
    call_command("qda", "agreement", str(project.pk), "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert sorted(printed["coders"]) == ["Ana Imported (imported)", "Ben Imported (imported)"]
    assert printed["overall"]["kappa"] == pytest.approx(expected.kappa)
    # Choosing the pair on the page by token keeps the order chosen.
    ben = Coder(world.researcher, "Ben Imported")
    ana = Coder(world.researcher, "Ana Imported")
    page = login_as(world.researcher).get(
        reverse("qualitative:agreement", args=[project.pk]), {"a": ben.token, "b": ana.token}
    )
    assert f'<option value="{ben.token}" selected>' in page.content.decode()
    # The retrieval narrows to one imported coder.
    access = ProjectAccess(project=project, role="lead")
    code = project.codes.get()
    assert [c.full_name for c in matrices.coders_of(access)] == ["Ana Imported", "Ben Imported"]
    excerpts = matrices.coded_retrieval(world.researcher, access, code, coder=ana.token).excerpts
    assert [(e.start, e.end) for e in excerpts] == SPANS_ANA
    assert {e.coder_name for e in excerpts} == {"Ana Imported"}
    assert document.char_count == len(TEXT)
    # The importing person's coding page shows their own codings only, and the file's coders'
    # codings are not theirs to remove.
    page = login_as(world.researcher).get(
        reverse("qualitative:document_detail", args=[project.pk, document.pk])
    )
    assert page.status_code == 200
    imported_codings = list(Coding.objects.filter(document=document))
    assert len(imported_codings) == len(SPANS_ANA) + len(SPANS_BEN)
    assert not any(f'id="coding-{c.pk}"' in page.content.decode() for c in imported_codings)
    imported = imported_codings[0]
    with pytest.raises(PermissionDenied):
        coding_services.remove_coding(actor=world.researcher, coding=imported, reason="Mine?")


def _code(qual: ProjectSet, world: World) -> tuple[Coding, Coding, Coding]:
    document = qual.document
    lead_own = coding_services.add_coding(
        actor=world.researcher, document=document, code=qual.code, start=0, end=5
    )
    removed = coding_services.add_coding(
        actor=world.trainer, document=document, code=qual.code, start=2, end=9
    )
    coding_services.remove_coding(actor=world.trainer, coding=removed, reason="Wrong place")
    (consensus,) = coding_services.reconcile(
        actor=world.researcher, document=document, code=qual.code, stretches=[(1, 6)]
    )
    return lead_own, removed, consensus


def test_removed_codings_are_left_out_and_consensus_is_a_coder_choice(
    world: World, qual: ProjectSet
) -> None:
    lead_own, _removed, consensus = _code(qual, world)
    access = ProjectAccess(project=qual.project, role="lead")
    # All coders: the coders' own codings, without the consensus codings unless asked for.
    everyone = matrices.coded_retrieval(world.researcher, access, qual.code).excerpts
    assert {e.coding_id for e in everyone} == {lead_own.pk}
    both = matrices.coded_retrieval(world.researcher, access, qual.code, coder=WITH_CONSENSUS)
    assert {e.coding_id for e in both.excerpts} == {lead_own.pk, consensus.pk}
    agreed = matrices.coded_retrieval(world.researcher, access, qual.code, coder=CONSENSUS)
    assert [e.coding_id for e in agreed.excerpts] == [consensus.pk]
    assert agreed.excerpts[0].coder_name == "Consensus"
    lead = Coder(world.researcher).token
    own = matrices.coded_retrieval(world.researcher, access, qual.code, coder=lead).excerpts
    assert [e.coding_id for e in own] == [lead_own.pk]
    trainer = Coder(world.trainer).token
    assert (
        matrices.coded_retrieval(world.researcher, access, qual.code, coder=trainer).excerpts == []
    )
    # The coder list counts live own codings only: the trainer's one coding was removed.
    assert [c.user for c in matrices.coders_of(access)] == [world.researcher]
    # Co-occurrence and the case matrix leave the removed coding out too.
    other = qual.other_code
    gone = coding_services.add_coding(
        actor=world.trainer, document=qual.document, code=other, start=3, end=8
    )
    coding_services.remove_coding(actor=world.trainer, coding=gone, reason="Wrong code")
    assert matrices.co_occurrence(world.researcher, access).count(qual.code, other) == 0
    coding_services.add_coding(
        actor=world.researcher, document=qual.document, code=other, start=2, end=4
    )
    # It overlaps the lead's own coding and the consensus coding of the first code.
    assert matrices.co_occurrence(world.researcher, access).count(qual.code, other) == 1
    asked = matrices.co_occurrence(world.researcher, access, coder=WITH_CONSENSUS)
    assert asked.count(qual.code, other) == 2
    by_lead = matrices.co_occurrence(world.researcher, access, coder=lead)
    assert by_lead.count(qual.code, other) == 1
    by_consensus = matrices.co_occurrence(world.researcher, access, coder=CONSENSUS)
    assert by_consensus.count(qual.code, other) == 0
    matrix = matrices.case_matrix(world.researcher, access, level=0, coder=WITH_CONSENSUS)
    cell = next(
        cell
        for row in matrix.rows
        if row.case == qual.case
        for theme, cell in zip(matrix.themes, row.cells, strict=True)
        if theme == qual.code
    )
    assert {e.coding_id for e in cell} == {lead_own.pk, consensus.pk}
    settled = matrices.case_matrix(world.researcher, access, level=0, coder=CONSENSUS)
    assert [e.coding_id for row in settled.rows for cell in row.cells for e in cell] == [
        consensus.pk
    ]


def test_the_project_file_leaves_removed_codings_out_and_names_the_consensus(
    world: World, qual: ProjectSet
) -> None:
    _code(qual, world)
    exported = exchange_services.exchange_project(qual.project)
    users = {user.guid: user.name for user in exported.users}
    written = {
        (c.start, c.end, users[c.creating_user_guid or ""])
        for source in exported.sources
        for c in source.codings
    }
    assert written == {(0, 5, world.researcher.full_name), (1, 6, "Consensus")}
    read = refi.read_qdpx(
        exchange_services.export_project(user=world.researcher, project=qual.project)
    )
    assert sum(len(source.codings) for source in read.sources) == 2


def test_the_matrix_pages_offer_consensus_to_leads(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    _code(qual, world)
    http = login_as(world.researcher)
    html = http.get(reverse("qualitative:retrieval", args=[qual.project.pk])).content.decode()
    assert f'<option value="{CONSENSUS}">Consensus only</option>' in html
    page = http.get(
        reverse("qualitative:retrieval", args=[qual.project.pk]),
        {"code": str(qual.code.pk), "coder": CONSENSUS},
    )
    assert page.status_code == 200
    assert page.content.decode().count("<figcaption>") == 1


def test_neither_records_the_reconciliation_without_a_consensus_coding(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    document = qual.document
    a = coding_services.add_coding(
        actor=world.researcher, document=document, code=qual.code, start=0, end=12
    )
    coding_services.add_coding(
        actor=world.trainer, document=document, code=qual.code, start=20, end=25
    )
    url = reverse("qualitative:disagreement", args=[qual.project.pk, document.pk, qual.code.pk])
    query = f"?a={world.researcher.pk}&b={world.trainer.pk}"
    http = login_as(world.researcher)
    response = http.post(url + query, {"start": 0, "end": 12, "choice": "neither"})
    assert response.status_code == 302
    assert not Coding.objects.filter(document=document, is_consensus=True).exists()
    change = ProjectChange.objects.get(project=qual.project, kind=ChangeKind.RECONCILE)
    assert (change.object_id, change.changed_by) == (document.pk, world.researcher)
    assert change.changes[0]["after"] == "neither"
    assert (change.changes[0]["start"], change.changes[0]["end"]) == (0, 12)
    assert AuditEvent.objects.filter(
        object_type="qualitative.projectchange", object_id=str(change.pk)
    ).exists()
    html = http.get(url + query).content.decode()
    assert html.count('<span class="tag">Reconciled</span>') == 1
    assert Coding.objects.filter(pk=a.pk, is_voided=False).exists()
