"""Two coders code the same transcript differently, one by selecting text with the mouse, the
other with the keyboard alone; the lead opens the comparison, reads kappa and the 2x2 counts
(equal to ``stats.coding_agreement`` on the same stretches) and the differing stretches, and
reconciles one into a consensus coding."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tandem import stats
from tandem.qualitative.models import Coding, Document, DocumentSource, ProjectRole
from tests.browser.test_practice_journey import sign_in
from tests.conftest import World
from tests.qualitative.factories import project_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Accented French and an emoji: an emoji is one code point but two UTF-16 units.
TEXT = (
    "Intervieweuse : qu\u2019est-ce qui aide ?\n"
    "P01 : être écouté 🙂 vraiment, ça aide.\n"
    "P02 : la confiance, surtout au début."
)

# Select, in one line of the transcript, from the first word to the end of the last (UTF-16
# indexes in the line's text node, as the browser counts), and let coding.js take it.
SELECT = """([line, first, last]) => {
  const node = document.getElementById(line).firstChild;
  const range = document.createRange();
  range.setStart(node, node.data.indexOf(first));
  range.setEnd(node, node.data.indexOf(last) + last.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  document.getElementById("transcript").dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
}"""


def _open_document(page: Page, base: str, project_pk: int, document_pk: int) -> None:
    page.goto(f"{base}/qualitative/{project_pk}/documents/{document_pk}/")
    expect(page.get_by_role("heading", name="Code a stretch")).to_be_visible()


def test_two_coders_compared_and_reconciled(
    world: World, live_server: LiveServer, browser: Browser
) -> None:
    qual = project_with(
        world.agency,
        lead=world.researcher,
        members={world.trainer: ProjectRole.CODER, world.case_manager: ProjectRole.CODER},
    )
    document = Document.objects.create(
        project=qual.project,
        title="Entrevue 7",
        text=TEXT,
        source=DocumentSource.PASTED,
        created_by=world.researcher,
    )
    base = live_server.url
    project_pk = qual.project.pk

    # Coder A selects "être écouté 🙂 vraiment" with the mouse: offsets in code points.
    coder_a = sign_in(browser, base, world.trainer.email)
    _open_document(coder_a, base, project_pk, document.pk)
    coder_a.evaluate(SELECT, ["L2", "être", "vraiment"])
    start_a, end_a = TEXT.index("être"), TEXT.index("vraiment") + len("vraiment")
    expect(coder_a.get_by_label("From character")).to_have_value(str(start_a))
    expect(coder_a.get_by_label("To character (not included)")).to_have_value(str(end_a))
    # UTF-16 would count one more for the emoji.
    assert len(TEXT[:end_a].encode("utf-16-le")) // 2 == end_a + 1
    expect(coder_a.locator("#selection-preview")).to_have_text("être écouté 🙂 vraiment")
    coder_a.locator("#code-options").get_by_label("Being heard").check()
    coder_a.get_by_role("button", name="Apply the chosen codes").click()
    expect(coder_a.locator(".messages, [role=status]").first).to_contain_text("Coded Being heard")
    expect(coder_a.locator("#transcript mark.coded")).to_have_text("être écouté 🙂 vraiment")
    colour = coder_a.locator("#transcript mark.coded").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert colour == "rgb(68, 119, 170)"  # #4477aa, the code's colour

    # A selection that reaches outside the text is refused with a clear message.
    coder_a.evaluate(
        """() => {
      const range = document.createRange();
      range.setStart(document.querySelector("h1").firstChild, 0);
      range.setEnd(document.getElementById("L1").firstChild, 4);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      const up = new MouseEvent("mouseup", {bubbles: true});
      document.getElementById("transcript").dispatchEvent(up);
    }"""
    )
    expect(coder_a.locator("#selection-preview")).to_have_text(
        "The selection is outside the text of the document."
    )

    # Coder B codes "écouté 🙂 vraiment, ça aide." with the keyboard alone, typing the offsets.
    coder_b = sign_in(browser, base, world.case_manager.email)
    _open_document(coder_b, base, project_pk, document.pk)
    # Coder A's codings are not shown to coder B.
    expect(coder_b.locator("#transcript mark.coded")).to_have_count(0)
    start_b, end_b = TEXT.index("écouté"), TEXT.index("aide.") + len("aide.")
    coder_b.locator("#code-options").get_by_label("Being heard").focus()
    coder_b.keyboard.press("Space")  # tick the first code
    coder_b.keyboard.press("Tab")  # past the second code
    coder_b.keyboard.press("Tab")
    coder_b.keyboard.type(str(start_b))
    coder_b.keyboard.press("Tab")
    coder_b.keyboard.type(str(end_b))
    coder_b.keyboard.press("Enter")
    expect(coder_b.locator("#transcript mark.coded")).to_have_text("écouté 🙂 vraiment, ça aide.")
    codings = Coding.objects.filter(document=document).order_by("coder_id")
    assert {(c.coder_id, c.start, c.end, c.code_id) for c in codings} == {
        (world.trainer.pk, start_a, end_a, qual.code.pk),
        (world.case_manager.pk, start_b, end_b, qual.code.pk),
    }

    # The lead opens the comparison of trainer (A) and case manager (B).
    lead = sign_in(browser, base, world.researcher.email)
    lead.goto(
        f"{base}/qualitative/{project_pk}/agreement/?a={world.trainer.pk}&b={world.case_manager.pk}"
    )
    expected = stats.coding_agreement(len(TEXT), [(start_a, end_a)], [(start_b, end_b)])
    row = lead.locator("table").nth(1).locator("tbody tr", has_text="Entrevue 7")
    expect(row.locator(".kappa")).to_have_text(f"{expected.kappa:.3f}")
    expect(row.locator(".both")).to_have_text(str(expected.both))
    expect(row.locator(".a-only")).to_have_text(str(expected.a_only))
    expect(row.locator(".b-only")).to_have_text(str(expected.b_only))
    expect(row.locator(".neither")).to_have_text(str(expected.neither))
    row.get_by_role("link", name=re.compile("Compare")).click()
    lead.wait_for_url(re.compile(rf"/agreement/{document.pk}/{qual.code.pk}/"))
    section = lead.locator("section.difference")
    expect(section).to_have_count(1)
    expect(section.locator(".coder-a")).to_contain_text("être écouté 🙂 vraiment")
    expect(section.locator(".coder-b")).to_contain_text("écouté 🙂 vraiment, ça aide.")
    section.get_by_label("Consensus").select_option("b")
    section.get_by_role("button", name="Record the consensus").click()
    expect(lead.locator("section.difference .tag")).to_have_text("Reconciled")
    consensus = Coding.objects.get(is_consensus=True)
    assert (consensus.start, consensus.end, consensus.coder_id) == (
        start_b,
        end_b,
        world.researcher.pk,
    )
