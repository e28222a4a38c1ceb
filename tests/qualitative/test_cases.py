"""Cases and their typed attributes (the REFI-QDA variable types)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tandem.qualitative.models import AttributeType, Case, CaseValue, ProjectChange
from tandem.qualitative.services import cases as services
from tandem.qualitative.services.common import RecordChangedError
from tests.conftest import LoginAs, World
from tests.qualitative.factories import ProjectSet


@pytest.fixture
def attributes(world: World, qual: ProjectSet) -> dict[str, int]:
    """One attribute of each type (the project already has a text one, Gender)."""
    found = {"gender": qual.attribute.pk}
    for name, kind in (
        ("years", AttributeType.INTEGER),
        ("caseload", AttributeType.FLOAT),
        ("supervised", AttributeType.BOOLEAN),
        ("hired", AttributeType.DATE),
    ):
        found[name] = services.define_attribute(
            actor=world.researcher, project=qual.project, name=name, value_type=kind
        ).pk
    return found


def test_each_value_is_stored_in_the_column_of_its_type(
    world: World, qual: ProjectSet, attributes: dict[str, int]
) -> None:
    case = services.create_case(
        actor=world.researcher,
        project=qual.project,
        name="P02",
        values={
            attributes["gender"]: "woman",
            attributes["years"]: 7,
            attributes["caseload"]: 18.5,
            attributes["supervised"]: False,
            attributes["hired"]: date(2019, 5, 1),
        },
    )
    stored = {v.attribute.name: v for v in CaseValue.objects.filter(case=case)}
    assert stored["Gender"].text_value == "woman"
    assert stored["years"].integer_value == 7
    assert stored["caseload"].float_value == 18.5
    assert stored["supervised"].boolean_value is False
    assert stored["hired"].date_value == date(2019, 5, 1)
    assert [stored[n].value for n in ("years", "supervised")] == [7, False]


@pytest.mark.parametrize(
    ("name", "wrong"),
    [("years", "seven"), ("years", 7.5), ("years", True), ("caseload", "many"), ("hired", "2019")],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_attribute(
    world: World, qual: ProjectSet, attributes: dict[str, int], name: str, wrong: object
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_case(
            actor=world.researcher,
            project=qual.project,
            name="P03",
            values={attributes[name]: wrong},
        )
    assert set(refused.value.message_dict) == {f"attribute_{attributes[name]}"}
    assert name in refused.value.message_dict[f"attribute_{attributes[name]}"][0]
    assert not Case.objects.filter(name="P03").exists()


def test_the_case_form_names_the_field_with_a_bad_value(
    world: World, qual: ProjectSet, attributes: dict[str, int], login_as: LoginAs
) -> None:
    response = login_as(world.researcher).post(
        reverse("qualitative:case_new", args=[qual.project.pk]),
        {
            "name": "P04",
            "description": "",
            f"attribute_{attributes['years']}": "seven",
            f"attribute_{attributes['hired']}": "not a date",
            f"attribute_{attributes['supervised']}": "unknown",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {f"attribute_{attributes['years']}", f"attribute_{attributes['hired']}"}
    assert errors.as_data()[f"attribute_{attributes['years']}"][0].code == "invalid"
    html = response.content.decode()
    assert f'href="#id_attribute_{attributes["years"]}">years</a>' in html


def test_the_case_form_stores_typed_values(
    world: World, qual: ProjectSet, attributes: dict[str, int], login_as: LoginAs
) -> None:
    response = login_as(world.researcher).post(
        reverse("qualitative:case_new", args=[qual.project.pk]),
        {
            "name": "P05",
            "description": "",
            f"attribute_{attributes['years']}": "12",
            f"attribute_{attributes['caseload']}": "9.5",
            f"attribute_{attributes['supervised']}": "true",
            f"attribute_{attributes['hired']}": "2020-02-29",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(name="P05")
    values = {v.attribute_id: v.value for v in case.values.select_related("attribute")}
    assert values == {
        attributes["years"]: 12,
        attributes["caseload"]: 9.5,
        attributes["supervised"]: True,
        attributes["hired"]: date(2020, 2, 29),
    }


def test_a_correction_keeps_the_former_values_and_the_reason(
    world: World, qual: ProjectSet, attributes: dict[str, int]
) -> None:
    case = services.create_case(
        actor=world.researcher,
        project=qual.project,
        name="P06",
        values={attributes["years"]: 3},
    )
    services.update_case(
        actor=world.researcher,
        case=case,
        expected_version=case.version,
        reason="Asked again",
        name="P06",
        description="",
        values={attributes["years"]: 4, attributes["gender"]: None},
    )
    change = ProjectChange.objects.get(object_type="qualitative.case", object_id=case.pk)
    assert change.reason == "Asked again"
    assert change.changes == [{"field": "years", "before": 3, "after": 4}]
    with pytest.raises(RecordChangedError):
        services.update_case(
            actor=world.researcher,
            case=case,
            expected_version=case.version,
            reason="Stale",
            name="P06",
            description="",
            values={attributes["years"]: 5},
        )


def test_an_attribute_keeps_its_type_once_cases_have_values(
    world: World, qual: ProjectSet, attributes: dict[str, int]
) -> None:
    services.create_case(
        actor=world.researcher, project=qual.project, name="P07", values={attributes["years"]: 2}
    )
    years = qual.project.attributes.get(pk=attributes["years"])
    with pytest.raises(ValidationError) as refused:
        services.update_attribute(
            actor=world.researcher,
            attribute=years,
            expected_version=years.version,
            reason="Text instead",
            name="years",
            value_type=AttributeType.TEXT,
            description="",
        )
    assert set(refused.value.message_dict) == {"value_type"}


def test_the_case_list_shows_values_with_a_bounded_number_of_queries(
    world: World,
    qual: ProjectSet,
    attributes: dict[str, int],
    login_as: LoginAs,
    django_assert_max_num_queries: object,
) -> None:
    for n in range(12):
        services.create_case(
            actor=world.researcher,
            project=qual.project,
            name=f"C{n:02d}",
            values={attributes["years"]: n, attributes["hired"]: date(2020, 1, n + 1)},
        )
    http = login_as(world.assessor)
    with django_assert_max_num_queries(22):  # type: ignore[operator]  # pytest-django fixture
        response = http.get(reverse("qualitative:case_list", args=[qual.project.pk]))
    html = response.content.decode()
    assert "C11" in html
    assert "2020-01-12" not in html  # dates shown in the reader's format
