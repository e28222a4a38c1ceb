"""What staff and clients are told about the wording they see: none loaded (and where it is
loaded), or invented demo wording; and paper-form hints that say exactly what is accepted."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tandem.measures.answers import clean_answer
from tandem.measures.demo_wording import STATEMENTS, demo_document, load_demo_wording
from tandem.measures.forms import item_rows
from tandem.measures.models import InstrumentWording
from tandem.measures.registry import all_instruments, get_instrument
from tandem.measures.services import issue_link
from tandem.measures.views._common import licensed_wording
from tests.conftest import LoginAs, World
from tests.measures.factories import AdministrationFactory, due_rprs

pytestmark = pytest.mark.django_db


def test_a_page_without_wording_says_so_and_where_it_is_loaded(
    world: World, login_as: LoginAs
) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    html = login_as(world.case_manager).get(f"/measures/{administration.pk}/").content.decode()
    assert "No licensed wording of this instrument is loaded" in html
    assert "An agency administrator loads the wording" in html
    assert "/admin/measures/instrumentwording/" not in html


def test_staff_who_may_load_wording_get_a_link_to_where_it_is_loaded(
    world: World, login_as: LoginAs
) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    world.case_manager.is_staff = True
    world.case_manager.save(update_fields=["is_staff"])
    html = login_as(world.case_manager).get(f"/measures/{administration.pk}/").content.decode()
    assert 'href="/admin/measures/instrumentwording/"' in html


def test_demo_wording_is_flagged_and_labelled_on_staff_and_client_pages(
    world: World, login_as: LoginAs
) -> None:
    rows = load_demo_wording(agency=world.agency)
    assert rows
    assert all(row.is_demo for row in rows)
    administration = due_rprs(world.own_client.episodes.get())
    staff = login_as(world.case_manager).get(f"/measures/{administration.pk}/").content.decode()
    assert "Demo wording, not the instrument" in staff
    assert STATEMENTS["en"][0] in staff
    assert "No licensed wording" not in staff
    issued = issue_link(
        actor=world.case_manager,
        administration=administration,
        channel="in_person",
        build_url=lambda token: token,
    )
    client_page = HttpClient().get(f"/r/{issued.token}/").content.decode()
    assert "Demo wording, not the instrument" in client_page
    assert STATEMENTS["en"][0] in client_page


def test_licensed_wording_loaded_over_the_demo_replaces_it(world: World) -> None:
    load_demo_wording(agency=world.agency)
    InstrumentWording.objects.create(
        agency=world.agency,
        instrument_code="rprs",
        instrument_version="1",
        language="en",
        revision=99,
        texts={"q1": "Licensed text 1"},
    )
    shown = licensed_wording(due_rprs(world.own_client.episodes.get()), "en")
    assert shown.is_demo is False
    assert shown.texts["q1"] == "Licensed text 1"


def test_demo_wording_covers_every_item_of_every_instrument_in_both_languages() -> None:
    for instrument in all_instruments():
        document = demo_document(instrument)
        for language in ("en", "fr"):
            ids = set(instrument.item_ids) | {item.id for item in instrument.text_items}
            assert set(document.texts[language]) == ids


# ---- response scales ----------------------------------------------------------------------------
def test_the_paper_form_lists_the_answers_of_a_scale_with_gaps_and_their_labels(
    world: World, login_as: LoginAs
) -> None:
    administration = AdministrationFactory.create(
        episode=world.own_client.episodes.get(), instrument_code="cansas", wave="intake"
    )
    html = login_as(world.case_manager).get(f"/measures/{administration.pk}/").content.decode()
    assert "(0, 1, 2 or 9: 0 = no need, 1 = met need, 2 = unmet need, 9 = not known)" in html
    assert "(0\N{EN DASH}9)" not in html


def test_the_range_each_paper_form_shows_is_exactly_what_validation_accepts() -> None:
    for instrument in all_instruments():
        rows = {row.id: row for row in item_rows(instrument, {})}
        for item in instrument.items:
            scale = instrument.scale_of(item)
            shown = rows[item.id].allowed
            if scale.continuous:
                assert shown == f"any number from {scale.min:g} to {scale.max:g}"
                continue
            candidates = range(int(scale.min) - 1, int(scale.max) + 2)
            accepted = [n for n in candidates if not clean_answer(instrument, item.id, n)[1]]
            if "\N{EN DASH}" in shown:
                low, high = (int(part) for part in shown.split("\N{EN DASH}"))
                assert accepted == list(range(low, high + 1)), (instrument.code, item.id)
            else:
                listed = [int(v) for v in shown.replace(" or ", ", ").split(", ")]
                assert accepted == listed, (instrument.code, item.id)


def test_self_report_options_show_the_scales_labels() -> None:
    rows = item_rows(get_instrument("rprs"), {})
    assert [option.label for option in rows[0].options] == ["1 (lowest)", "2", "3", "4 (highest)"]
