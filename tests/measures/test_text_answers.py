"""Free-text answers hold only what every database can store."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from tandem.measures.answers import clean_answer
from tandem.measures.models import AdministrationStatus, Response
from tandem.measures.registry import get_instrument
from tests.conftest import LoginAs, World
from tests.measures.factories import AdministrationFactory

pytestmark = pytest.mark.django_db

PGI_RATINGS = (
    {f"q{i}": "5" for i in range(1, 7)} | {"q7": "12"} | {f"q{i}": "0" for i in range(8, 13)}
)


def test_a_nul_character_is_not_a_text_answer() -> None:
    # PostgreSQL cannot store U+0000 in a JSON text value: the answer is refused, not a 500.
    answer, error = clean_answer(get_instrument("pgi"), "area1", "Work\x00")
    assert answer is None
    assert error


@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_link_answer_with_a_nul_character_is_refused(
    world: World,
    login_as: LoginAs,
    action: str,
) -> None:
    administration = AdministrationFactory.create(
        episode=world.own_client.episodes.get(), instrument_code="pgi"
    )
    issued = login_as(world.case_manager).post(
        f"/measures/{administration.pk}/link/", {"channel": "in_person"}
    )
    match = re.search(r"https?://[^/]+(/r/[A-Za-z0-9_-]+/)", issued.content.decode())
    assert match is not None
    answered = HttpClient().post(
        match.group(1), {**PGI_RATINGS, "area1": "Work\x00", "action": action}
    )
    assert answered.status_code == 400
    administration.refresh_from_db()
    assert administration.status != AdministrationStatus.COMPLETED
    assert not Response.objects.filter(answers__has_key="area1").exists()
