"""Agency administrators configure each programme's intake rules in the admin."""

from __future__ import annotations

import json

from tandem.clients import eligibility
from tandem.clients.models import IntakePolicy
from tests.conftest import LoginAs, World


def test_agency_admin_sets_required_fields_and_criteria(world: World, login_as: LoginAs) -> None:
    criteria = [{"code": "lives_nearby", "label": "Lives in the catchment area", "expected": True}]
    response = login_as(world.agency_admin).post(
        "/admin/clients/intakepolicy/add/",
        {
            "programme": world.programme.pk,
            "required_fields": ["risks", "source_contact"],
            "criteria": json.dumps(criteria),
        },
    )
    assert response.status_code == 302
    policy = IntakePolicy.objects.get()
    assert policy.required_fields == ["risks", "source_contact"]
    assert eligibility.required_fields_for(world.programme) == ("risks", "source_contact")
    assert [c.code for c in eligibility.criteria_for(world.programme)] == ["lives_nearby"]


def test_agency_admin_cannot_attach_a_policy_to_another_agencys_programme(
    world: World,
    login_as: LoginAs,
) -> None:
    response = login_as(world.agency_admin).post(
        "/admin/clients/intakepolicy/add/",
        {"programme": world.other_agency_team.programme.pk, "criteria": "[]"},
    )
    assert response.status_code == 200
    assert not IntakePolicy.objects.exists()
