"""Staff read a completed measure's answers and scores back, correct them with a reason, and
date a paper form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.measures.models import Administration, Response, ResponseCorrection
from tests.conftest import LoginAs, World
from tests.measures.factories import AdministrationFactory, completed_response, due_rprs

pytestmark = pytest.mark.django_db

ALL_THREES = {f"q{i}": "3" for i in range(1, 25)}


def _administration(world: World, client_attr: str = "own_client") -> Administration:
    return due_rprs(getattr(world, client_attr).episodes.get())


def _cansas(world: World) -> Administration:
    return AdministrationFactory.create(
        episode=world.own_client.episodes.get(), instrument_code="cansas", wave="intake"
    )


def test_a_completed_measure_shows_the_answers_with_their_labels_and_the_scores(
    world: World, login_as: LoginAs
) -> None:
    administration = _cansas(world)
    completed_response(administration, q1=2.0, q2=1.0, q3=0.0)
    html = login_as(world.case_manager).get(f"/measures/{administration.pk}/").content.decode()
    assert "2 (unmet need)" in html
    assert "1 (met need)" in html
    assert "0 (no need)" in html
    assert 'data-score="unmet"' in html
    assert "Enter the ratings" not in html


def test_the_completed_view_is_in_french_for_a_french_reader(
    world: World, login_as: LoginAs
) -> None:
    administration = _cansas(world)
    completed_response(administration, q1=2.0)
    http = login_as(world.case_manager)
    with translation.override("fr"):
        html = http.get(
            f"/measures/{administration.pk}/", headers={"accept-language": "fr"}
        ).content.decode()
    assert "besoin non comblé" in html


def test_a_correction_keeps_before_and_after_rescores_and_is_audited(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    response = completed_response(administration)
    assert response.scores["total"] == 72
    page = login_as(world.case_manager).post(
        f"/measures/responses/{response.pk}/correct/",
        {
            **ALL_THREES,
            "q1": "4",
            "reason": "Item 1 was misread from the paper form.",
            "version": str(response.version),
            "completed_on": timezone.localdate().isoformat(),
        },
    )
    assert page.status_code == 302
    response.refresh_from_db()
    assert response.scores["total"] == 73
    assert response.version == 2
    correction = ResponseCorrection.objects.get(response=response)
    assert correction.answers_before["q1"] == 3
    assert correction.answers_after["q1"] == 4
    assert correction.scores_before["total"] == 72
    assert correction.scores_after["total"] == 73
    assert correction.corrected_by == world.case_manager
    assert AuditEvent.objects.filter(
        action=Action.CREATE,
        object_type="measures.responsecorrection",
        object_id=str(correction.pk),
    ).exists()
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="measures.response", object_id=str(response.pk)
    ).exists()


def test_a_correction_without_a_reason_is_refused_and_keeps_what_was_typed(
    world: World, login_as: LoginAs
) -> None:
    response = completed_response(_administration(world))
    page = login_as(world.case_manager).post(
        f"/measures/responses/{response.pk}/correct/",
        {**ALL_THREES, "q1": "4", "reason": "  ", "version": str(response.version)},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert 'name="q1" value="4"' in html
    assert 'id="id_reason_error"' in html
    assert not ResponseCorrection.objects.exists()


def test_a_correction_of_answers_changed_meanwhile_is_refused(
    world: World, login_as: LoginAs
) -> None:
    response = completed_response(_administration(world))
    Response.objects.filter(pk=response.pk).update(version=5)
    page = login_as(world.case_manager).post(
        f"/measures/responses/{response.pk}/correct/",
        {**ALL_THREES, "q1": "4", "reason": "typo", "version": "1"},
    )
    assert page.status_code == 409
    assert not ResponseCorrection.objects.exists()


def test_a_correction_that_changes_nothing_is_refused(world: World, login_as: LoginAs) -> None:
    response = completed_response(_administration(world))
    page = login_as(world.case_manager).post(
        f"/measures/responses/{response.pk}/correct/",
        {**ALL_THREES, "reason": "checking", "version": "1"},
    )
    assert page.status_code == 400
    assert not ResponseCorrection.objects.exists()


def test_an_outsider_cannot_correct_a_response(world: World, login_as: LoginAs) -> None:
    response = completed_response(_administration(world, "other_team_client"))
    page = login_as(world.case_manager).post(
        f"/measures/responses/{response.pk}/correct/",
        {**ALL_THREES, "q1": "4", "reason": "x", "version": "1"},
    )
    assert page.status_code == 404
    assert AuditEvent.objects.filter(
        object_type="measures.response", object_id=str(response.pk), outcome=Outcome.DENIED
    ).exists()
    assert not ResponseCorrection.objects.exists()


def test_a_correction_may_move_the_completion_date(world: World, login_as: LoginAs) -> None:
    administration = _administration(world)
    response = completed_response(administration)
    day = timezone.localdate() - timedelta(days=2)
    login_as(world.case_manager).post(
        f"/measures/responses/{response.pk}/correct/",
        {**ALL_THREES, "reason": "Dated wrongly", "version": "1", "completed_on": day},
    )
    response.refresh_from_db()
    assert timezone.localdate(response.completed_at) == day


# ---- "completed on" of a paper form ------------------------------------------------------------
def test_a_paper_form_is_stored_on_the_day_it_was_completed(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    day = timezone.localdate() - timedelta(days=3)
    page = login_as(world.case_manager).post(
        f"/measures/{administration.pk}/", {**ALL_THREES, "completed_on": day.isoformat()}
    )
    assert page.status_code == 302
    response = Response.objects.get(administration=administration)
    assert timezone.localdate(response.completed_at) == day


def test_the_paper_form_offers_today_as_the_completion_date(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    html = login_as(world.case_manager).get(f"/measures/{administration.pk}/").content.decode()
    assert f'name="completed_on" value="{timezone.localdate().isoformat()}"' in html


def test_a_completion_date_in_the_future_is_refused_on_its_field(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = login_as(world.case_manager).post(
        f"/measures/{administration.pk}/", {**ALL_THREES, "completed_on": tomorrow.isoformat()}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="id_completed_on_error"' in html
    assert 'name="q1" value="3"' in html
    assert not Response.objects.exists()


def test_a_completion_date_before_the_window_opened_is_refused(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    early = administration.window_opens - timedelta(days=1)
    page = login_as(world.case_manager).post(
        f"/measures/{administration.pk}/", {**ALL_THREES, "completed_on": early.isoformat()}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="id_completed_on_error"' in html
    assert "window opened" in html
    assert not Response.objects.exists()


def test_the_client_page_links_each_completed_score_to_its_answers(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    completed_response(administration)
    html = login_as(world.case_manager).get(f"/clients/{world.own_client.pk}/").content.decode()
    assert f'href="/measures/{administration.pk}/"' in html
