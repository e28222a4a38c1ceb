"""Alert thresholds are configuration: an agency administrator may set them, and each change
is kept in the programme's configuration history."""

from __future__ import annotations

from django.urls import reverse

from tandem.alerts.models import AlertPolicy
from tandem.orgs.models import ConfigurationChange, ConfigurationKind
from tests.alerts.test_alert_pages import valid_thresholds
from tests.conftest import LoginAs, World


def test_an_agency_administrator_saves_the_thresholds_into_the_history(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.agency_admin).post(
        reverse("alerts:thresholds", args=[world.programme.pk]),
        valid_thresholds(no_contact_days="10"),
    )

    assert response.status_code == 302
    assert AlertPolicy.objects.get(programme=world.programme).no_contact_days == 10
    change = ConfigurationChange.objects.get(kind=ConfigurationKind.THRESHOLDS_CHANGED)
    assert change.changed_by == world.agency_admin
    assert (change.before["no_contact_days"], change.after["no_contact_days"]) == (21, 10)
