"""The research pages, with records, read in French."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from tandem.accounts.models import User
from tests.conftest import World
from tests.core.french import problems, typed_in_database
from tests.research.factories import consent_of, study_in

pytestmark = pytest.mark.django_db


def french(user: User) -> HttpClient:
    http = HttpClient()
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    http.force_login(user)
    return http


def test_research_pages_show_no_english(world: World) -> None:
    study = study_in(world.agency)
    study.covariates = ["gender", "team"]
    study.save()
    enrolment = consent_of(world.own_client)
    typed = typed_in_database()
    pages = {
        world.researcher: [
            reverse("research:study_list"),
            reverse("research:study_detail", args=[study.pk]),
            reverse("research:study_edit", args=[study.pk]),
            reverse("research:study_members", args=[study.pk]),
        ],
        world.agency_admin: [reverse("research:study_new")],
        world.case_manager: [
            reverse("clients:client_detail", args=[world.own_client.pk]),
            reverse("research:client_consent", args=[world.own_client.pk]),
            reverse("research:enrolment_detail", args=[enrolment.pk]),
        ],
    }
    found = {}
    for user, paths in pages.items():
        http = french(user)
        for path in paths:
            response = http.get(path)
            assert response.status_code == 200, path
            page_problems = problems(response.content.decode(), typed=typed)
            if page_problems:
                found[path] = page_problems
    assert found == {}
    record = french(world.case_manager).get(
        reverse("clients:client_detail", args=[world.own_client.pk])
    )
    assert "Consentement à la recherche" in record.content.decode()
