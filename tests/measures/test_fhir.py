"""FHIR R4 Questionnaire and QuestionnaireResponse round trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tandem.measures.fhir import (
    EXT_DEFINITION,
    FhirError,
    answers_from_questionnaire_response,
    definition_from_questionnaire,
    questionnaire,
    questionnaire_response,
    questionnaire_texts,
)
from tandem.measures.registry import Instrument, all_instruments, get_instrument, parse_definition
from tandem.measures.scoring import AnswerError, score
from tests.measures.test_registry import small_definition

AUTHORED = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("instrument", all_instruments(), ids=lambda i: i.code)
def test_definition_round_trips_through_questionnaire_json(instrument: Instrument) -> None:
    text = json.dumps(questionnaire(instrument))
    assert definition_from_questionnaire(text) == instrument


def test_reverse_keyed_items_survive_the_round_trip() -> None:
    tiny = parse_definition(small_definition())
    resource = questionnaire(tiny)
    assert definition_from_questionnaire(resource) == tiny
    assert {i["linkId"] for i in resource["item"] if len(i["extension"]) > 1} == {"q2", "q4"}


def test_choice_items_carry_the_response_scale_as_answer_options() -> None:
    resource = questionnaire(get_instrument("rprs"))
    first = resource["item"][0]
    assert first["type"] == "choice"
    assert first["text"] == "Item 1"
    assert [o["valueCoding"]["code"] for o in first["answerOption"]] == ["1", "2", "3", "4"]
    assert resource["url"] == "urn:tandem:instrument:rprs"
    assert "unverified" in resource["copyright"].lower()


def test_visual_analogue_items_are_decimals_with_bounds() -> None:
    item = questionnaire(get_instrument("ors"))["item"][0]
    assert item["type"] == "decimal"
    bounds = {e["url"].rsplit("/", 1)[-1]: e.get("valueDecimal") for e in item["extension"]}
    assert (bounds["minValue"], bounds["maxValue"]) == (0, 10)


def test_licensed_wording_shows_as_item_text_but_never_becomes_a_label() -> None:
    ors = get_instrument("ors")
    resource = questionnaire(ors, {"q2": "Synthetic item text 2"}, language="fr")
    assert resource["language"] == "fr"
    assert [i["text"] for i in resource["item"]] == [
        "Item 1",
        "Synthetic item text 2",
        "Item 3",
        "Item 4",
    ]
    assert definition_from_questionnaire(resource) == ors
    assert questionnaire_texts(resource)["q2"] == "Synthetic item text 2"


def test_a_foreign_questionnaire_imports_with_neutral_labels_and_a_total() -> None:
    foreign: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "name": "Mood",
        "status": "draft",
        "item": [
            {
                "linkId": f"m{n}",
                "text": f"Synthetic item text {n}",
                "type": "choice",
                "answerOption": [
                    {"valueCoding": {"code": str(v), "display": f"level {v}"}} for v in range(3)
                ],
            }
            for n in (1, 2)
        ]
        + [{"linkId": "note", "text": "Synthetic note", "type": "string"}],
    }
    definition = definition_from_questionnaire(foreign)
    assert definition.code == "mood"
    assert [i.label for i in definition.items] == ["Item 1", "Item 2"]
    assert definition.text_items[0].id == "note"
    assert score(definition, {"m1": 2, "m2": 1}).scores == {"total": 3}


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("{", "not JSON"),
        ({"resourceType": "Patient"}, "expected Questionnaire"),
        ({"resourceType": "Questionnaire", "item": []}, "status"),
        (
            {"resourceType": "Questionnaire", "status": "active", "item": [{"type": "choice"}]},
            "linkId",
        ),
        (
            {
                "resourceType": "Questionnaire",
                "status": "active",
                "item": [{"linkId": "d", "type": "date"}],
            },
            "only choice, decimal and string",
        ),
        (
            {
                "resourceType": "Questionnaire",
                "status": "active",
                "extension": [{"url": EXT_DEFINITION, "valueString": "{"}],
                "item": [],
            },
            "not valid JSON",
        ),
    ],
)
def test_unreadable_questionnaires_are_refused(resource: Any, message: str) -> None:
    with pytest.raises(FhirError, match=message):
        definition_from_questionnaire(resource)


# ---- QuestionnaireResponse ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "answers", "texts"),
    [
        ("rprs", {f"q{n}": (n % 4) + 1 for n in range(1, 25)} | {"q5": None}, {}),
        ("ors", {"q1": 2.5, "q2": 10, "q3": 0, "q4": 7.3}, {}),
        ("cansas", {f"q{n}": [0, 1, 2, 9][n % 4] for n in range(1, 23)}, {}),
        ("pgi", {"q1": 5, "q2": 10, "q7": 6, "q8": 6}, {"area1": "Work", "area2": "Sleep"}),
    ],
)
def test_response_round_trips(code: str, answers: dict[str, Any], texts: dict[str, str]) -> None:
    instrument = get_instrument(code)
    resource = questionnaire_response(instrument, answers, "Patient/41", AUTHORED, texts=texts)
    back = answers_from_questionnaire_response(instrument, json.dumps(resource))
    expected = dict.fromkeys(instrument.item_ids) | {
        k: (None if v is None else float(v)) for k, v in answers.items()
    }
    assert back.answers == expected
    assert back.texts == texts
    assert back.subject_reference == "Patient/41"
    assert back.authored == AUTHORED
    assert back.status == "completed"
    assert score(instrument, back.answers) == score(instrument, answers)


def test_response_codings_name_the_scale_and_its_label() -> None:
    resource = questionnaire_response(get_instrument("rprs"), {"q1": 4}, "Patient/1", AUTHORED)
    assert resource["questionnaire"] == "urn:tandem:instrument:rprs|1"
    assert resource["item"] == [
        {
            "linkId": "q1",
            "answer": [
                {
                    "valueCoding": {
                        "system": "urn:tandem:scale:rprs:default",
                        "code": "4",
                        "display": "4 (highest)",
                    }
                }
            ],
        }
    ]


def test_response_export_checks_answers() -> None:
    with pytest.raises(AnswerError, match="q2"):
        questionnaire_response(get_instrument("srs"), {"q2": 11}, "Patient/1", AUTHORED)
    with pytest.raises(ValueError, match="time zone"):
        questionnaire_response(get_instrument("srs"), {}, "Patient/1", datetime(2026, 1, 1))  # noqa: DTZ001


def test_response_import_refuses_other_instruments_and_bad_answers() -> None:
    resource = questionnaire_response(get_instrument("srs"), {"q1": 3}, "Patient/1", AUTHORED)
    with pytest.raises(FhirError, match="not ors"):
        answers_from_questionnaire_response(get_instrument("ors"), resource)
    resource["item"][0]["answer"][0] = {"valueDecimal": 12}
    with pytest.raises(AnswerError, match="q1: 12 is not allowed"):
        answers_from_questionnaire_response(get_instrument("srs"), resource)
    resource["item"][0]["linkId"] = "q9"
    with pytest.raises(AnswerError, match="q9: not an item"):
        answers_from_questionnaire_response(get_instrument("srs"), resource)


@pytest.mark.django_db
def test_questionnaire_shows_an_agencys_licensed_wording(world: Any) -> None:
    from tandem.measures.selectors import wording_for
    from tandem.measures.services import load_wording
    from tandem.measures.wording import parse_wording

    document = {
        "instrument": "srs",
        "version": "1",
        "wording": {"fr": {"q1": "Synthetic item text 1 (fr)", "q3": "Synthetic item text 3 (fr)"}},
    }
    load_wording(actor=None, agency=world.agency, document=parse_wording(document))
    srs = get_instrument("srs")
    resource = questionnaire(srs, wording_for(srs, "fr", world.agency), language="fr")
    assert [i["text"] for i in resource["item"]] == [
        "Synthetic item text 1 (fr)",
        "Item 2",
        "Synthetic item text 3 (fr)",
        "Item 4",
    ]
    other = questionnaire(srs, wording_for(srs, "fr", world.other_agency), language="fr")
    assert [i["text"] for i in other["item"]] == ["Item 1", "Item 2", "Item 3", "Item 4"]
