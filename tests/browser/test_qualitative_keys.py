"""Coding with the keyboard: several codes at once, keys 1 to 9 over the filtered code list,
sentence and paragraph selection in the text, the margin bars in the codes' colours, and the
document page at tablet width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from tandem.audit.models import AuditEvent
from tandem.qualitative.models import Coding, Document, DocumentSource, ProjectRole
from tests.browser.test_practice_journey import sign_in
from tests.conftest import World
from tests.qualitative.factories import project_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Intervieweuse : qu\u2019est-ce qui aide ? On commence.\n"
    "P01 : être écouté 🙂 vraiment. Ça aide beaucoup !\n"
    "P02 : la confiance, surtout au début."
)
LINES = TEXT.split("\n")


def _rgb(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))


def test_keyboard_coding(world: World, live_server: LiveServer, browser: Browser) -> None:
    qual = project_with(
        world.agency, lead=world.researcher, members={world.trainer: ProjectRole.CODER}
    )
    qual.other_code.colour = "#ee6677"
    qual.other_code.save()
    document = Document.objects.create(
        project=qual.project,
        title="Entrevue 9",
        text=TEXT,
        source=DocumentSource.PASTED,
        created_by=world.researcher,
    )
    base = live_server.url
    page = sign_in(browser, base, world.trainer.email)
    page.goto(f"{base}/qualitative/{qual.project.pk}/documents/{document.pk}/")
    start = page.get_by_label("From character")
    end = page.get_by_label("To character (not included)")
    hint = page.locator("#code-shortcuts")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("1 to 9")

    # Sentences: s forward, S back; p moves by paragraph (line).
    page.locator("#transcript").focus()
    first = "Intervieweuse : qu\u2019est-ce qui aide ?"
    page.keyboard.press("s")
    expect(start).to_have_value("0")
    expect(end).to_have_value(str(len(first)))
    page.keyboard.press("s")
    second = TEXT.index("On commence.")
    expect(start).to_have_value(str(second))
    expect(end).to_have_value(str(second + len("On commence.")))
    page.keyboard.press("s")
    third = TEXT.index("P01")
    expect(start).to_have_value(str(third))
    expect(end).to_have_value(str(TEXT.index("vraiment.") + len("vraiment.")))
    expect(page.locator("#selection-preview")).to_have_text("P01 : être écouté 🙂 vraiment.")
    page.keyboard.press("Shift+S")
    expect(start).to_have_value(str(second))
    page.keyboard.press("p")
    expect(start).to_have_value(str(third))
    expect(end).to_have_value(str(third + len(LINES[1])))
    # The browser's own selection is the same stretch.
    assert page.evaluate("() => window.getSelection().toString()") == LINES[1]
    page.keyboard.press("Shift+P")
    expect(start).to_have_value("0")
    expect(end).to_have_value(str(len(LINES[0])))

    # Two codes at once on the first line: one coding each, each audited.
    page.locator("#code-options").get_by_label("Being heard").check()
    page.locator("#code-options").get_by_label("Trust").check()
    page.get_by_role("button", name="Apply the chosen codes").click()
    expect(page.locator("[role=status], .messages").first).to_contain_text("Being heard, Trust")
    rows = set(Coding.objects.filter(document=document).values_list("code_id", "start", "end"))
    assert rows == {(qual.code.pk, 0, len(LINES[0])), (qual.other_code.pk, 0, len(LINES[0]))}
    events = AuditEvent.objects.filter(
        object_type="qualitative.coding",
        object_id__in=[str(pk) for pk in Coding.objects.values_list("pk", flat=True)],
    )
    assert events.count() == 2

    # Keys 1 to 9 follow the filtered list: "tru" leaves Trust first.
    boxes = page.locator("#code-options input")
    expect(boxes.nth(0)).to_have_attribute("aria-keyshortcuts", "1")
    expect(boxes.nth(1)).to_have_attribute("aria-keyshortcuts", "2")
    page.get_by_label("Find a code").fill("tru")
    expect(page.locator("#code-options").get_by_label("Being heard")).to_be_hidden()
    trust = page.locator("#code-options").get_by_label("Trust")
    expect(trust).to_have_attribute("aria-keyshortcuts", "1")
    # A digit typed in the search box is text, not a shortcut.
    page.get_by_label("Find a code").press("1")
    expect(page.get_by_label("Find a code")).to_have_value("tru1")
    page.get_by_label("Find a code").fill("tru")
    page.locator("#transcript").focus()
    page.keyboard.press("p")
    page.keyboard.press("p")  # the second line
    page.keyboard.press("1")
    expect(page.locator("[role=status], .messages").first).to_contain_text("Coded Trust")
    line2 = (TEXT.index("P01"), TEXT.index("P01") + len(LINES[1]))
    assert Coding.objects.filter(
        document=document, code=qual.other_code, start=line2[0], end=line2[1]
    ).exists()
    assert Coding.objects.filter(document=document).count() == 3

    # The margin: a bar per code colour beside each coded line, none beside the uncoded one.
    line1, line2_el, line3 = (page.locator(f"#L{n}") for n in (1, 2, 3))
    expect(line1).to_have_attribute("data-colours", f"{qual.code.colour} #ee6677")
    expect(line2_el).to_have_attribute("data-colours", "#ee6677")
    expect(line3).not_to_have_attribute("data-colours", "#ee6677")
    image = line1.evaluate("el => getComputedStyle(el).backgroundImage")
    assert _rgb(qual.code.colour) in image
    assert _rgb("#ee6677") in image
    assert line3.evaluate("el => getComputedStyle(el).backgroundImage") == "none"

    # Tablet width: nothing scrolls sideways.
    page.set_viewport_size({"width": 768, "height": 1024})
    page.reload()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
