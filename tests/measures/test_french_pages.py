"""The measure pages added for self-report follow-up, corrections and closing read in French."""

from __future__ import annotations

import pytest

from tests.conftest import LoginAs, World
from tests.measures.factories import completed_response, due_rprs

pytestmark = pytest.mark.django_db

ENGLISH = (
    "Completed on",
    "Close as not collected",
    "Not collected?",
    "No licensed wording",
    "Correct these answers",
    "Answers",
    "Save the correction",
    "Why are the answers corrected?",
    "Reopen this measure",
    "Correct the reason",
    "Status changes",
    "not answered",
)


def _assert_french(html: str) -> None:
    assert '<html lang="fr"' in html
    shown = [text for text in ENGLISH if f">{text}<" in html or f"{text}</" in html]
    assert shown == []


def test_the_open_measure_page_reads_in_french(world: World, login_as: LoginAs) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    http = login_as(world.case_manager)
    html = http.get(f"/measures/{administration.pk}/", headers={"accept-language": "fr"})
    page = html.content.decode()
    _assert_french(page)
    assert "Rempli le" in page
    assert "Fermer comme non recueillie" in page


def test_the_completed_and_correction_pages_read_in_french(world: World, login_as: LoginAs) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    response = completed_response(administration)
    http = login_as(world.case_manager)
    headers = {"accept-language": "fr"}
    completed = http.get(f"/measures/{administration.pk}/", headers=headers).content.decode()
    _assert_french(completed)
    assert "Corriger ces réponses" in completed
    correcting = http.get(
        f"/measures/responses/{response.pk}/correct/", headers=headers
    ).content.decode()
    _assert_french(correcting)
    assert "Enregistrer la correction" in correcting


def test_the_closed_measure_page_reads_in_french(world: World, login_as: LoginAs) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    http = login_as(world.case_manager)
    http.post(
        f"/measures/{administration.pk}/close/",
        {"reason": "Hospitalisation", "version": str(administration.version)},
    )
    page = http.get(
        f"/measures/{administration.pk}/", headers={"accept-language": "fr"}
    ).content.decode()
    _assert_french(page)
    assert "Rouvrir cette mesure" in page
    assert "Changements de statut" in page
