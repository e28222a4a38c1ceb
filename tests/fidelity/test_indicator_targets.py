"""Each programme's indicator targets: defaults until it sets its own, applied to the values."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tandem.fidelity.indicators import compute_indicators
from tandem.fidelity.indicators import definitions as d
from tandem.fidelity.indicators.targets import targets_in_force
from tandem.fidelity.models import IndicatorTarget, IndicatorValue
from tandem.orgs.models import ConfigurationChange, ConfigurationKind
from tests.conftest import LoginAs, World


def url(world: World) -> str:
    return reverse("fidelity:indicator_targets", args=[world.programme.pk])


def in_force(world: World) -> dict[str, tuple[float | None, bool]]:
    return {
        row.definition.code: (row.target, row.is_default)
        for row in targets_in_force(world.programme)
    }


def test_every_indicator_has_a_target_in_force_by_default(world: World) -> None:
    targets = in_force(world)

    assert set(targets) == {definition.code for definition in d.INDICATORS}
    assert all(target is not None for target, _default in targets.values())
    assert targets[d.CASELOAD_PER_WORKER] == (20.0, True)
    assert targets[d.COMMUNITY_CONTACT_SHARE] == (0.75, True)


def test_a_programme_manager_sets_targets_shares_in_per_cent(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.programme_manager).post(
        url(world),
        {d.CASELOAD_PER_WORKER: "18", d.COMMUNITY_CONTACT_SHARE: "80", "reason": "Agreed plan"},
    )

    assert response.status_code == 302
    targets = in_force(world)
    world.programme.refresh_from_db()
    assert world.programme.caseload_target == 18
    assert targets[d.COMMUNITY_CONTACT_SHARE] == (0.8, False)
    assert targets[d.RECOVERY_PLAN_CURRENT] == (0.9, True)
    change = ConfigurationChange.objects.get(kind=ConfigurationKind.TARGETS_CHANGED)
    assert change.before == {d.CASELOAD_PER_WORKER: 20.0, d.COMMUNITY_CONTACT_SHARE: 0.75}
    assert change.after == {d.CASELOAD_PER_WORKER: 18.0, d.COMMUNITY_CONTACT_SHARE: 0.8}


def test_an_emptied_target_returns_to_the_default(world: World, login_as: LoginAs) -> None:
    IndicatorTarget.objects.create(
        programme=world.programme, code=d.NATURAL_RESOURCE_GOALS, target=0.3
    )

    login_as(world.agency_admin).post(url(world), {d.CASELOAD_PER_WORKER: "20"})

    assert in_force(world)[d.NATURAL_RESOURCE_GOALS] == (0.5, True)
    assert not IndicatorTarget.objects.exists()


def test_a_share_above_100_per_cent_is_refused_naming_the_field(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.programme_manager).post(
        url(world), {d.CASELOAD_PER_WORKER: "20", d.STRENGTHS_ASSESSMENT_CURRENT: "120"}
    )

    assert response.status_code == 400
    assert response.context["form"].has_error(d.STRENGTHS_ASSESSMENT_CURRENT)
    assert response.context["form"][d.STRENGTHS_ASSESSMENT_CURRENT].value() == "120"


def test_computed_values_carry_the_programmes_targets(world: World) -> None:
    IndicatorTarget.objects.create(
        programme=world.programme, code=d.CONTACTS_PER_CLIENT_WEEK, target=1.5
    )
    day = timezone.localdate()

    compute_indicators(day=day, team_ids=[world.team.pk])

    targets = dict(
        IndicatorValue.objects.filter(team=world.team, worker__isnull=True, day=day).values_list(
            "code", "target"
        )
    )
    assert targets[d.CONTACTS_PER_CLIENT_WEEK] == 1.5
    assert targets[d.GROUP_SUPERVISION_WEEKLY] == 1.0
    assert targets[d.CASELOAD_PER_WORKER] == 20.0


def test_saving_targets_recomputes_todays_values(world: World, login_as: LoginAs) -> None:
    login_as(world.programme_manager).post(
        url(world), {d.CASELOAD_PER_WORKER: "20", d.CONTACTS_PER_CLIENT_WEEK: "2"}
    )

    value = IndicatorValue.objects.get(
        team=world.team,
        worker__isnull=True,
        day=timezone.localdate(),
        code=d.CONTACTS_PER_CLIENT_WEEK,
    )
    assert value.target == 2.0


def test_a_case_manager_cannot_set_targets(world: World, login_as: LoginAs) -> None:
    response = login_as(world.case_manager).post(url(world), {d.CASELOAD_PER_WORKER: "50"})

    assert response.status_code == 403
    world.programme.refresh_from_db()
    assert world.programme.caseload_target == 20
