"""The programme's required referral fields and eligibility questions, built without JSON."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from tandem.clients import eligibility
from tandem.clients.models import IntakePolicy, QuestionType
from tandem.clients.services import screen_referral
from tandem.orgs.models import ConfigurationChange, ConfigurationKind
from tests.clients.factories import ReferralFactory
from tests.conftest import LoginAs, World


def url(world: World) -> str:
    return reverse("clients:intake_configuration", args=[world.programme.pk])


def question(**fields: Any) -> dict[str, Any]:
    row = {
        "code": "",
        "label": "",
        "type": "yes_no",
        "expected": "yes",
        "options": "",
        "accepted": "",
        "low": "",
        "high": "",
        "required": "on",
        "ORDER": "",
    }
    row.update(fields)
    return row


def post_data(rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "q-TOTAL_FORMS": str(len(rows)),
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "40",
        "required_fields": ["risks", "phone"],
        "reason": "",
        "fingerprint": "",
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            if name == "required" and not value:
                continue
            if name == "DELETE" and not value:
                continue
            data[f"q-{i}-{name}"] = value
    data.update(extra)
    return data


def test_the_page_shows_the_models_default_questions_until_the_programme_saves_its_own(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.programme_manager).get(url(world))

    assert response.status_code == 200
    assert response.context["uses_defaults"] is True
    initial = [form.initial.get("code") for form in response.context["questions"]]
    assert initial[:-1] == [c.code for c in eligibility.default_criteria(world.programme)]
    assert initial[-1] is None  # the blank row that adds a question


def test_questions_of_every_type_are_added_in_the_order_given(
    world: World, login_as: LoginAs
) -> None:
    rows = [
        question(label="Lives in the catchment area", ORDER="2"),
        question(
            label="Main need",
            type="choice",
            options="Housing\nNavigation\nSubstance use",
            accepted="Housing\nNavigation",
            ORDER="1",
        ),
        question(label="Age", type="number", low="18", high="", ORDER="3", required=""),
    ]

    response = login_as(world.programme_manager).post(url(world), post_data(rows))

    assert response.status_code == 302
    policy = IntakePolicy.objects.get(programme=world.programme)
    assert policy.required_fields == ["risks", "phone"]
    assert [(c["label"], c["type"]) for c in policy.criteria] == [
        ("Main need", QuestionType.CHOICE),
        ("Lives in the catchment area", QuestionType.YES_NO),
        ("Age", QuestionType.NUMBER),
    ]
    assert policy.criteria[0]["accepted"] == ["Housing", "Navigation"]
    assert (policy.criteria[2]["min"], policy.criteria[2]["required"]) == (18.0, False)
    assert [c["code"] for c in policy.criteria] == [
        "main_need",
        "lives_in_the_catchment_area",
        "age",
    ]


def test_a_removed_question_leaves_the_screen_and_the_change_is_in_the_history(
    world: World, login_as: LoginAs
) -> None:
    rows = [
        question(code="a", label="First", ORDER="1"),
        question(code="b", label="Second", ORDER="2", DELETE="on"),
    ]

    login_as(world.agency_admin).post(url(world), post_data(rows, reason="Simpler screen"))

    assert [c.code for c in eligibility.criteria_for(world.programme)] == ["a"]
    change = ConfigurationChange.objects.get(kind=ConfigurationKind.INTAKE_CHANGED)
    assert change.changed_by == world.agency_admin
    assert change.reason == "Simpler screen"
    assert [c["code"] for c in change.after["criteria"]] == ["a"]


def test_a_choice_question_needs_an_accepted_answer_among_those_offered(
    world: World, login_as: LoginAs
) -> None:
    rows = [question(label="Main need", type="choice", options="Housing\nWork", accepted="Food")]

    response = login_as(world.programme_manager).post(url(world), post_data(rows))

    assert response.status_code == 400
    assert response.context["questions"].forms[0].has_error("accepted")
    assert response.context["questions"].forms[0]["options"].value() == "Housing\nWork"
    assert not IntakePolicy.objects.exists()


def test_typed_answers_flag_the_answers_that_do_not_fit(world: World) -> None:
    IntakePolicy.objects.create(
        programme=world.programme,
        criteria=[
            eligibility.Criterion(
                code="need",
                label="Main need",
                type=QuestionType.CHOICE,
                options=("Housing", "Substance use"),
                accepted=("Housing",),
            ).as_stored(),
            eligibility.Criterion(
                code="age", label="Age", type=QuestionType.NUMBER, low=18, high=None
            ).as_stored(),
            eligibility.Criterion(code="nearby", label="Lives nearby", expected=True).as_stored(),
        ],
    )
    referral = ReferralFactory.create(programme=world.programme, agency=world.agency)

    screened = screen_referral(
        actor=world.programme_manager,
        referral=referral,
        answers={"need": "Substance use", "age": 17.0, "nearby": True},
        screened_on=date(2026, 3, 2),
    )

    assert sorted(screened.mismatch_codes) == ["age", "need"]
    assert [answer for _c, answer, _m in eligibility.labels_of(screened)] == [
        "Substance use",
        "17",
        "Yes",
    ]


def test_a_supervisor_cannot_change_the_intake_rules(world: World, login_as: LoginAs) -> None:
    response = login_as(world.supervisor).post(url(world), post_data([question(label="x")]))

    assert response.status_code == 403
    assert not IntakePolicy.objects.exists()
