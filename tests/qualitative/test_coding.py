"""Coding in the browser, the agreement between coders, and reconciliation into consensus."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from io import StringIO

import krippendorff
import numpy as np
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from tandem import stats
from tandem.accounts.models import User
from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.qualitative.agreement import differences, project_agreement
from tandem.qualitative.coders import Coder
from tandem.qualitative.models import Code, Coding, Document, DocumentSource, ProjectChange
from tandem.qualitative.services import coding as services
from tandem.qualitative.views.coding import highlighted_lines
from tests.conftest import LoginAs, World
from tests.qualitative.factories import ProjectSet, agency_person

Spans = list[tuple[int, int]]


def _document(qual: ProjectSet, title: str, length: int) -> Document:
    words = "être écouté aide vraiment 🙂 "
    text = "".join(words[i % len(words)] if i % 37 else "\n" for i in range(1, length + 1))
    return Document.objects.create(
        project=qual.project,
        title=title,
        text=text,
        source=DocumentSource.PASTED,
        created_by=qual.lead,
    )


def _random_spans(rng: random.Random, length: int, count: int) -> Spans:
    spans = []
    for _ in range(count):
        start = rng.randrange(0, length - 1)
        spans.append((start, rng.randrange(start + 1, min(length, start + 60) + 1)))
    return spans


def _code_all(coder: User, document: Document, code: Code, spans: Spans) -> None:
    for start, end in spans:
        services.add_coding(actor=coder, document=document, code=code, start=start, end=end)


@dataclass
class Coded:
    documents: list[Document]
    codes: list[Code]
    spans: dict[tuple[int, int, int], Spans]


@pytest.fixture
def coded(world: World, qual: ProjectSet) -> Coded:
    """Two documents, two codes, three coders with random codings (the lead codes most)."""
    from tandem.qualitative.models import ProjectMember, ProjectRole

    third = agency_person(world.agency)
    ProjectMember.objects.create(project=qual.project, user=third, role=ProjectRole.CODER)
    rng = random.Random(15)
    documents = [_document(qual, "D1", 700), _document(qual, "D2", 450)]
    qual.document.is_archived = True  # the factory's document stays out of the comparison
    qual.document.save()
    codes = [qual.code, qual.other_code]
    spans: dict[tuple[int, int, int], Spans] = {}
    for coder, count in ((world.researcher, 5), (world.trainer, 4), (third, 2)):
        for document in documents:
            for code in codes:
                found = _random_spans(rng, document.char_count, count)
                spans[(coder.pk, document.pk, code.pk)] = found
                _code_all(coder, document, code, found)
    return Coded(documents=documents, codes=codes, spans=spans)


def test_agreement_equals_coding_agreement_on_the_tests_own_spans(
    world: World, qual: ProjectSet, coded: Coded
) -> None:
    found = project_agreement(qual.project)
    assert found is not None
    # The default pair: the two with most codings.
    assert (found.coder_a.user, found.coder_b.user) == (world.researcher, world.trainer)
    spans = coded.spans
    a, b = world.researcher.pk, world.trainer.pk
    rows = {(row.code.pk, row.document): row.result for row in found.by_document}
    assert len(rows) == 4
    for document in coded.documents:
        for code in coded.codes:
            expected = stats.coding_agreement(
                document.char_count,
                spans[(a, document.pk, code.pk)],
                spans[(b, document.pk, code.pk)],
            )
            assert rows[(code.pk, document)] == expected


def _kappa_by_hand(both: int, a_only: int, b_only: int, neither: int) -> float:
    n = both + a_only + b_only + neither
    observed = (both + neither) / n
    expected = ((both + a_only) * (both + b_only) + (b_only + neither) * (a_only + neither)) / n**2
    return (observed - expected) / (1 - expected)


def test_pooled_kappa_per_code_and_overall_equal_a_hand_count(
    world: World, qual: ProjectSet, coded: Coded
) -> None:
    found = project_agreement(qual.project)
    assert found is not None
    spans = coded.spans
    a, b = world.researcher.pk, world.trainer.pk
    totals = np.zeros(4, dtype=int)
    for row in found.by_code:
        counts = np.zeros(4, dtype=int)
        for document in coded.documents:
            length = document.char_count
            coded_a = np.zeros(length, bool)
            coded_b = np.zeros(length, bool)
            for s, e in spans[(a, document.pk, row.code.pk)]:
                coded_a[s:e] = True
            for s, e in spans[(b, document.pk, row.code.pk)]:
                coded_b[s:e] = True
            counts += [
                np.sum(coded_a & coded_b),
                np.sum(coded_a & ~coded_b),
                np.sum(~coded_a & coded_b),
                np.sum(~coded_a & ~coded_b),
            ]
        result = row.result
        assert [result.both, result.a_only, result.b_only, result.neither] == counts.tolist()
        assert result.kappa == pytest.approx(_kappa_by_hand(*counts.tolist()))
        totals += counts
    overall = found.overall
    assert [overall.both, overall.a_only, overall.b_only, overall.neither] == totals.tolist()
    assert overall.kappa == pytest.approx(_kappa_by_hand(*totals.tolist()))


def test_alpha_covers_every_coder_as_the_krippendorff_package_does(
    world: World, qual: ProjectSet, coded: Coded
) -> None:
    found = project_agreement(qual.project)
    assert found is not None
    assert len(found.coders) == 3
    rows = []
    for coder in found.coders:
        units: list[int] = []
        for code in sorted(coded.codes, key=lambda c: (c.name, c.pk)):
            for document in coded.documents:
                flags = [0] * document.char_count
                for s, e in coded.spans[(coder.user.pk, document.pk, code.pk)]:
                    flags[s:e] = [1] * (e - s)
                units += flags
        rows.append(units)
    expected = krippendorff.alpha(reliability_data=rows, level_of_measurement="nominal")
    assert found.alpha == pytest.approx(expected)


def test_consensus_and_removed_codings_take_no_part(
    world: World, qual: ProjectSet, coded: Coded
) -> None:
    before = project_agreement(qual.project)
    document = coded.documents[0]
    services.reconcile(
        actor=world.researcher, document=document, code=qual.code, stretches=[(0, 300)]
    )
    assert project_agreement(qual.project) == before
    coding = Coding.objects.filter(coder=world.trainer, document=document).first()
    assert coding is not None
    services.remove_coding(actor=world.trainer, coding=coding, reason="Mal placé")
    after = project_agreement(qual.project)
    assert before is not None
    assert after is not None
    assert after.overall != before.overall


def test_coding_in_the_page_records_the_coder_and_shows_only_their_own(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    url = reverse("qualitative:coding_add", args=[qual.project.pk, qual.document.pk])
    http = login_as(world.trainer)
    response = http.post(url, {"code": qual.code.pk, "start": 0, "end": 4})
    assert response.status_code == 302
    coding = Coding.objects.get(document=qual.document)
    assert (coding.coder, coding.start, coding.end) == (world.trainer, 0, 4)
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(coding.pk)).exists()
    services.add_coding(
        actor=world.researcher, document=qual.document, code=qual.other_code, start=5, end=10
    )
    page = http.get(
        reverse("qualitative:document_detail", args=[qual.project.pk, qual.document.pk])
    )
    html = page.content.decode()
    assert f'id="coding-{coding.pk}"' in html
    assert html.count('class="coded"') == 1  # the lead's coding is not shown to the coder
    assert "Trust" not in html.split('id="codings-heading"')[1].split("</table>")[0]


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (-1, 4, "start", "Ensure this value is greater than or equal to 0."),
        (31, 40, "start", "The selection starts outside the text"),
        (3, 99, "end", "The selection ends outside the text"),
        (6, 6, "end", "The selection must end after it starts."),
        (6, 2, "end", "The selection must end after it starts."),
    ],
)
def test_selections_outside_the_text_are_refused_naming_the_field(
    world: World,
    qual: ProjectSet,
    login_as: LoginAs,
    start: int,
    end: int,
    field: str,
    message: str,
) -> None:
    assert qual.document.char_count == 31
    url = reverse("qualitative:coding_add", args=[qual.project.pk, qual.document.pk])
    response = login_as(world.trainer).post(url, {"code": qual.code.pk, "start": start, "end": end})
    assert response.status_code == 400
    assert message in " ".join(response.context["coding_form"].errors[field])
    assert not Coding.objects.exists()


def test_viewers_and_non_members_cannot_code(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    url = reverse("qualitative:coding_add", args=[qual.project.pk, qual.document.pk])
    data = {"code": qual.code.pk, "start": 0, "end": 4}
    assert login_as(world.assessor).post(url, data).status_code == 403  # viewer
    assert login_as(world.case_manager).post(url, data).status_code == 404  # no member
    remove = reverse("qualitative:coding_remove", args=[qual.project.pk, qual.document.pk])
    refused = login_as(world.case_manager).post(remove, {"coding": 1, "reason": "x"})
    assert refused.status_code == 404
    with pytest.raises(PermissionDenied):
        services.add_coding(
            actor=world.assessor, document=qual.document, code=qual.code, start=0, end=4
        )
    assert not Coding.objects.exists()
    page = login_as(world.assessor).get(
        reverse("qualitative:document_detail", args=[qual.project.pk, qual.document.pk])
    )
    assert 'id="coding-form"' not in page.content.decode()


def test_removing_a_coding_keeps_it_voided_with_the_reason(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    coding = services.add_coding(
        actor=world.trainer, document=qual.document, code=qual.code, start=0, end=4
    )
    url = reverse("qualitative:coding_remove", args=[qual.project.pk, qual.document.pk])
    # Someone else's coding cannot be removed, even by a lead.
    with pytest.raises(PermissionDenied):
        services.remove_coding(actor=world.researcher, coding=coding, reason="Non")
    response = login_as(world.trainer).post(url, {"coding": coding.pk, "reason": ""})
    assert response.status_code == 400
    denied = AuditEvent.objects.filter(outcome=Outcome.DENIED).count()
    response = login_as(world.trainer).post(url, {"coding": coding.pk + 1, "reason": "Erreur"})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED).count() == denied + 1
    response = login_as(world.trainer).post(url, {"coding": coding.pk, "reason": "Erreur"})
    assert response.status_code == 302
    coding.refresh_from_db()
    assert coding.is_voided
    change = ProjectChange.objects.get(object_id=coding.pk, object_type="qualitative.coding")
    assert change.reason == "Erreur"
    with pytest.raises(ValidationError):
        services.remove_coding(actor=world.trainer, coding=coding, reason="Encore")


def test_differences_and_reconciliation_record_consensus_codings(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    document = qual.document  # "What helped?\nBeing listened to."
    for coder, spans in (
        (world.researcher, [(0, 12), (20, 25)]),
        (world.trainer, [(5, 12), (13, 18)]),
    ):
        _code_all(coder, document, qual.code, spans)
    found = differences(document, qual.code, Coder(world.researcher), Coder(world.trainer))
    assert [(d.start, d.end, d.spans_a, d.spans_b) for d in found] == [
        (0, 12, [(0, 12)], [(5, 12)]),
        (13, 18, [], [(13, 18)]),
        (20, 25, [(20, 25)], []),
    ]
    url = reverse("qualitative:disagreement", args=[qual.project.pk, document.pk, qual.code.pk])
    url += f"?a={world.researcher.pk}&b={world.trainer.pk}"
    http = login_as(world.researcher)
    page = http.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # A's stretch and B's stretch, side by side.
    assert "0\u201312</span> What helped?" in html
    assert "5\u201312</span> helped?" in html
    response = http.post(url, {"start": 0, "end": 12, "choice": "b"})
    assert response.status_code == 302
    response = http.post(url, {"start": 13, "end": 18, "choice": "both"})
    assert response.status_code == 302
    consensus = Coding.objects.filter(is_consensus=True).order_by("start")
    assert [(c.start, c.end, c.coder) for c in consensus] == [
        (5, 12, world.researcher),
        (13, 18, world.researcher),
    ]
    assert (
        AuditEvent.objects.filter(
            action=Action.CREATE, object_id__in=[str(c.pk) for c in consensus]
        ).count()
        == 2
    )
    # A stretch that does not differ any more is refused; coders may not reconcile.
    assert http.post(url, {"start": 1, "end": 12, "choice": "a"}).status_code == 400
    assert (
        login_as(world.trainer).post(url, {"start": 20, "end": 25, "choice": "a"}).status_code
        == 403
    )
    # The lead corrects a reconciliation from the same page: the consensus coding is voided
    # with a reason, kept in the project's history.
    remove = reverse("qualitative:coding_remove", args=[qual.project.pk, document.pk])
    http = login_as(world.researcher)
    shown = http.get(url).content.decode()
    assert f'action="{remove}"' in shown
    assert f'name="coding" value="{consensus[0].pk}"' in shown
    assert (
        http.post(remove, {"coding": consensus[0].pk, "reason": "Wrong stretch"}).status_code == 302
    )
    consensus[0].refresh_from_db()
    assert consensus[0].is_voided
    change = ProjectChange.objects.get(object_id=consensus[0].pk, object_type="qualitative.coding")
    assert change.reason == "Wrong stretch"
    assert f'name="coding" value="{consensus[0].pk}"' not in http.get(url).content.decode()


def test_highlighted_lines_cut_the_text_where_codings_start_and_end(
    world: World, qual: ProjectSet
) -> None:
    document = _document(qual, "Long", 3000)
    rng = random.Random(3)
    for start, end in _random_spans(rng, document.char_count, 40):
        services.add_coding(
            actor=world.trainer, document=document, code=qual.code, start=start, end=end
        )
    codings = list(Coding.objects.filter(document=document))
    lines = highlighted_lines(document.text, codings)
    assert "\n".join("".join(s.text for s in line.segments) for line in lines) == document.text
    for line in lines:
        assert document.text[line.start :].startswith("".join(s.text for s in line.segments))
        position = line.start
        for segment in line.segments:
            covering = {c.pk for c in codings if c.start <= position < c.end}
            assert {c.pk for c in segment.codings} == covering
            assert all(
                {c.pk for c in codings if c.start <= p < c.end} == covering
                for p in range(position, position + len(segment.text))
            )
            position += len(segment.text)


def test_the_agreement_page_shows_kappa_and_counts_in_french(
    world: World, qual: ProjectSet, coded: Coded, login_as: LoginAs
) -> None:
    found = project_agreement(qual.project)
    assert found is not None
    http = login_as(world.trainer)
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = http.get(reverse("qualitative:agreement", args=[qual.project.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Accord entre codeurs" in html
    kappa = f"{found.overall.kappa:.3f}".replace(".", ",")
    assert f'<dd class="kappa">{kappa}</dd>' in html
    for row in found.by_code:
        assert f'<td class="num both">{row.result.both}</td>' in html.replace("\u202f", "")


def test_the_command_prints_the_agreement_and_refuses_an_unknown_project(
    world: World, qual: ProjectSet, coded: Coded
) -> None:
    out = StringIO()
    call_command("qda", "agreement", str(qual.project.pk), "--json", stdout=out)
    printed = json.loads(out.getvalue())
    found = project_agreement(qual.project)
    assert found is not None
    assert printed["overall"]["kappa"] == pytest.approx(found.overall.kappa)
    assert [c["both"] for c in printed["codes"]] == [r.result.both for r in found.by_code]
    assert printed["alpha"] == pytest.approx(found.alpha)
    table = StringIO()
    call_command("qda", "agreement", str(qual.project.pk), stdout=table)
    assert f"{found.overall.kappa:.3f}" in table.getvalue()
    with pytest.raises(CommandError, match="no qualitative project with id '99999'"):
        call_command("qda", "agreement", "99999")


def test_several_codes_at_once_make_one_audited_coding_each(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    url = reverse("qualitative:coding_add", args=[qual.project.pk, qual.document.pk])
    http = login_as(world.trainer)
    response = http.post(url, {"code": [qual.code.pk, qual.other_code.pk], "start": 2, "end": 9})
    assert response.status_code == 302
    codings = Coding.objects.filter(document=qual.document)
    assert sorted((c.code_id, c.start, c.end, c.coder_id) for c in codings) == sorted(
        (code.pk, 2, 9, world.trainer.pk) for code in (qual.code, qual.other_code)
    )
    for coding in codings:
        assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(coding.pk)).exists()
    # No code chosen: refused, naming the field; nothing recorded.
    response = http.post(url, {"start": 2, "end": 9})
    assert response.status_code == 400
    assert "Choose at least one code." in response.content.decode()
    with pytest.raises(ValidationError) as raised:
        services.add_codings(actor=world.trainer, document=qual.document, codes=[], start=0, end=1)
    assert "code" in raised.value.message_dict
    # One bad stretch refuses every code: all or nothing.
    with pytest.raises(ValidationError):
        services.add_codings(
            actor=world.trainer,
            document=qual.document,
            codes=[qual.code, qual.other_code],
            start=0,
            end=qual.document.char_count + 1,
        )
    assert Coding.objects.filter(document=qual.document).count() == 2


def test_the_margin_lists_each_lines_code_colours_once(qual: ProjectSet) -> None:
    text = "abc\ndef\nghi"
    qual.other_code.colour = "#ee6677"
    codings = [
        Coding(pk=1, code=qual.code, start=1, end=5),
        Coding(pk=2, code=qual.other_code, start=2, end=3),
        Coding(pk=3, code=qual.code, start=2, end=3),
    ]
    lines = highlighted_lines(text, codings)
    expected = []
    for number, line in enumerate(text.split("\n")):
        start = sum(len(x) + 1 for x in text.split("\n")[:number])
        colours: list[str] = []
        for coding in sorted(codings, key=lambda c: (c.start, c.pk)):
            covers = coding.start < start + len(line) and coding.end > start
            if covers and coding.code.colour not in colours:
                colours.append(coding.code.colour)
        expected.append(" ".join(colours))
    assert [line.colours for line in lines] == expected
    assert expected == [f"{qual.code.colour} #ee6677", qual.code.colour, ""]


def _two_coders(world: World, qual: ProjectSet) -> Document:
    document = qual.document  # "What helped?\nBeing listened to."
    _code_all(world.researcher, document, qual.code, [(0, 12), (20, 25)])
    _code_all(world.trainer, document, qual.code, [(5, 12), (13, 18)])
    return document


@pytest.mark.parametrize("choice", ["a", "b", "both", "neither"])
def test_a_lead_undoes_a_reconciliation_whatever_its_outcome(
    world: World, qual: ProjectSet, choice: str
) -> None:
    document = _two_coders(world, qual)
    own = set(Coding.objects.filter(is_consensus=False).values_list("pk", "is_voided"))
    stretches = {"a": [(0, 12)], "b": [(5, 12)], "both": [(0, 12)]}
    if choice == services.NEITHER:
        services.reconcile_neither(
            actor=world.researcher, document=document, code=qual.code, start=0, end=12
        )
        assert services.neither_stretches(document, qual.code) == [(0, 12)]
    else:
        services.reconcile(
            actor=world.researcher, document=document, code=qual.code, stretches=stretches[choice]
        )
    # A coder may not undo; a reason is required.
    with pytest.raises(PermissionDenied):
        services.undo_reconciliation(
            actor=world.trainer, document=document, code=qual.code, start=0, end=12, reason="x"
        )
    with pytest.raises(ValidationError):
        services.undo_reconciliation(
            actor=world.researcher, document=document, code=qual.code, start=0, end=12, reason=" "
        )
    change = services.undo_reconciliation(
        actor=world.researcher, document=document, code=qual.code, start=0, end=12, reason="Hasty"
    )
    # No consensus is left on the stretch, the coders' codings stand as they were.
    assert not Coding.objects.filter(is_consensus=True, is_voided=False).exists()
    assert services.neither_stretches(document, qual.code) == []
    assert set(Coding.objects.filter(is_consensus=False).values_list("pk", "is_voided")) == own
    assert change.reason == "Hasty"
    assert [item["before"] for item in change.changes] == [
        services.NEITHER if choice == services.NEITHER else services.CODED
    ]
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="qualitative.projectchange", object_id=str(change.pk)
    ).exists()
    voided = Coding.objects.filter(is_consensus=True, is_voided=True)
    assert voided.count() == (0 if choice == services.NEITHER else 1)
    for coding in voided:
        assert ProjectChange.objects.get(
            object_type="qualitative.coding", object_id=coding.pk
        ).reason == ("Hasty")
    # Nothing left to undo; the stretch can be reconciled again.
    with pytest.raises(ValidationError, match="nothing to undo"):
        services.undo_reconciliation(
            actor=world.researcher, document=document, code=qual.code, start=0, end=12, reason="x"
        )
    services.reconcile_neither(
        actor=world.researcher, document=document, code=qual.code, start=0, end=12
    )
    assert services.neither_stretches(document, qual.code) == [(0, 12)]


def test_the_differences_page_undoes_a_reconciliation_and_the_history_shows_it(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    document = _two_coders(world, qual)
    url = reverse("qualitative:disagreement", args=[qual.project.pk, document.pk, qual.code.pk])
    url += f"?a={world.researcher.pk}&b={world.trainer.pk}"
    http = login_as(world.researcher)
    assert 'name="undo"' not in http.get(url).content.decode()
    assert http.post(url, {"start": 0, "end": 12, "choice": "neither"}).status_code == 302
    assert http.post(url, {"start": 13, "end": 18, "choice": "both"}).status_code == 302
    html = http.get(url).content.decode()
    assert html.count('name="undo"') == 2
    # Without a reason: refused, nothing undone.
    response = http.post(url, {"undo": "1", "start": 0, "end": 12, "reason": ""})
    assert response.status_code == 400
    assert "Say why the reconciliation is undone." in response.content.decode()
    assert services.neither_stretches(document, qual.code) == [(0, 12)]
    # A stretch that was not reconciled: refused.
    response = http.post(url, {"undo": "1", "start": 20, "end": 25, "reason": "Oops"})
    assert response.status_code == 400
    assert "nothing to undo" in response.content.decode()
    assert (
        http.post(url, {"undo": "1", "start": 0, "end": 12, "reason": "Hasty"}).status_code == 302
    )
    assert (
        http.post(url, {"undo": "1", "start": 13, "end": 18, "reason": "Wrong"}).status_code == 302
    )
    assert services.neither_stretches(document, qual.code) == []
    assert not Coding.objects.filter(is_consensus=True, is_voided=False).exists()
    assert 'name="undo"' not in http.get(url).content.decode()
    # Coders may not undo.
    coder = login_as(world.trainer)
    assert coder.post(url, {"undo": "1", "start": 0, "end": 12, "reason": "x"}).status_code == 403
    # The history names what was undone, in French too.
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    history = http.get(reverse("qualitative:project_history", args=[qual.project.pk]))
    text = history.content.decode()
    assert "Hasty" in text
    assert "Wrong" in text
    assert "Le codage d\u2019aucun des codeurs → —" in text
    assert "Codage de consensus → —" in text
