"""The demo agency comes with schedules, due measures and past scores."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tandem.accounts.models import User
from tandem.measures.models import Administration, Response, Schedule
from tandem.site.demo import DEMO_DOMAIN, load_demo

pytestmark = [pytest.mark.demo, pytest.mark.usefixtures("demo_db")]


def test_demo_has_schedules_and_scores_shown_on_client_pages() -> None:
    load_demo(n_clients=24)
    assert Schedule.objects.count() == 3
    assert Administration.objects.exists()
    response = Response.objects.filter(instrument_code="rprs").first()
    assert response is not None
    assert response.scores["total"] is not None
    http = HttpClient()
    http.force_login(User.objects.get(email=f"manager.smcm@{DEMO_DOMAIN}"))
    page = http.get(f"/clients/{response.client_id}/").content.decode()
    assert 'data-score="rprs-total"' in page


def test_demo_shows_flagged_demo_wording_on_a_due_measure() -> None:
    from tandem.measures.models import InstrumentWording

    assert InstrumentWording.objects.filter(instrument_code="rprs", is_demo=True).exists()
    assert not InstrumentWording.objects.filter(is_demo=False).exists()
    administration = Administration.objects.filter(
        instrument_code="rprs", status__in=["due", "overdue"]
    ).first()
    assert administration is not None
    http = HttpClient()
    http.force_login(User.objects.get(email=f"manager.smcm@{DEMO_DOMAIN}"))
    page = http.get(f"/measures/{administration.pk}/").content.decode()
    assert "Demo wording, not the instrument" in page
    assert "Demo statement:" in page
