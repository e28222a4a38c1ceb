"""The instrument registry: built-in definitions, schema checks and local definitions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tandem.measures import registry
from tandem.measures.registry import (
    DefinitionError,
    Respondent,
    UnknownInstrumentError,
    all_instruments,
    definition_document,
    get_instrument,
    parse_definition,
)

BUILT_IN = {
    "rprs": (24, ["total", "total_0_100"]),
    "cose": (
        37,
        [
            "microskills",
            "attending_to_process",
            "difficult_behaviors",
            "cultural_competence",
            "awareness_of_values",
            "total",
        ],
    ),
    "qoli20": (20, ["overall"]),
    "pgi": (12, ["index"]),
    "ths": (12, ["pathways", "agency", "total"]),
    "mcas": (
        17,
        ["interference", "adjustment", "social_competence", "behavioral_problems", "total"],
    ),
    "wai_sr": (12, ["task", "bond", "goal", "total"]),
    "cansas": (22, ["met", "unmet", "total"]),
    "ors": (4, ["total"]),
    "srs": (4, ["total"]),
}

NEUTRAL_LABEL = re.compile(r"^(Item \d+|Area \d+( rating| points)?|Other areas (rating|points))$")


def small_definition(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "code": "tiny",
        "version": "1",
        "title": "Tiny test scale",
        "respondent": "client",
        "licence": "Synthetic test definition.",
        "scales": {
            "default": {
                "min": 1,
                "max": 6,
                "options": [{"value": v, "label": str(v)} for v in range(1, 7)],
            }
        },
        "items": [
            {"id": "q1", "label": "Item 1"},
            {"id": "q2", "label": "Item 2", "reverse": True},
            {"id": "q3", "label": "Item 3"},
            {"id": "q4", "label": "Item 4", "reverse": True},
        ],
        "scores": [{"name": "total", "label": "Total", "items": ["q1", "q2", "q3", "q4"]}],
    }
    document.update(changes)
    return document


@pytest.fixture
def local_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(registry.INSTRUMENTS_DIR_ENV, str(tmp_path))
    registry.reload()
    yield tmp_path
    monkeypatch.delenv(registry.INSTRUMENTS_DIR_ENV)
    registry.reload()


def test_every_built_in_instrument_loads_with_its_items_and_scores() -> None:
    found = {i.code: (len(i.items), list(i.score_names)) for i in all_instruments()}
    assert found == BUILT_IN


def test_built_in_item_ids_are_q1_to_qn_in_order() -> None:
    for instrument in all_instruments():
        assert instrument.item_ids == tuple(f"q{n}" for n in range(1, len(instrument.items) + 1))


def test_built_in_definitions_carry_only_neutral_labels() -> None:
    for instrument in all_instruments():
        labels = [i.label for i in instrument.items] + [t.label for t in instrument.text_items]
        assert all(NEUTRAL_LABEL.match(label) for label in labels), instrument.code


def test_lookup_ignores_case_and_dashes() -> None:
    assert get_instrument("WAI-SR").code == "wai_sr"
    assert get_instrument("RPRS").code == "rprs"


def test_unknown_code_raises() -> None:
    with pytest.raises(UnknownInstrumentError, match="nope"):
        get_instrument("nope")


@pytest.mark.parametrize(
    ("code", "score", "expected"),
    [
        ("rprs", "total", (24, 96)),
        ("rprs", "total_0_100", (0, 100)),
        ("cose", "total", (37, 222)),
        ("ths", "pathways", (4, 32)),
        ("ths", "total", (8, 64)),
        ("mcas", "total", (17, 85)),
        ("wai_sr", "bond", (4, 20)),
        ("cansas", "unmet", (0, 22)),
        ("ors", "total", (0, 40)),
        ("pgi", "index", (0, 100)),
        ("qoli20", "overall", (1, 7)),
    ],
)
def test_valid_ranges_follow_the_facts(code: str, score: str, expected: tuple[int, int]) -> None:
    instrument = get_instrument(code)
    assert instrument.valid_range(instrument.score(score)) == expected


def test_cose_ships_unverified_consecutive_subscales_and_says_so() -> None:
    cose = get_instrument("cose")
    sizes = [len(s.items) for s in cose.scores[:5]]
    assert sizes == [12, 10, 7, 4, 4]
    assert not any(item.reverse for item in cose.items)
    assert "UNVERIFIED" in cose.licence
    assert "reverse-keyed items" in cose.unverified


def test_ths_fillers_are_not_scored() -> None:
    ths = get_instrument("ths")
    scored = {item for score in ths.scores for item in score.items}
    assert scored.isdisjoint({"q3", "q5", "q7", "q11"})
    assert ths.score("pathways").items == ("q1", "q4", "q6", "q8")
    assert ths.score("agency").items == ("q2", "q9", "q10", "q12")


def test_wai_sr_subscales_follow_the_facts() -> None:
    wai = get_instrument("wai_sr")
    assert wai.score("task").items == ("q1", "q2", "q10", "q12")
    assert wai.score("bond").items == ("q3", "q5", "q7", "q9")
    assert wai.score("goal").items == ("q4", "q6", "q8", "q11")


def test_respondents() -> None:
    assert get_instrument("mcas").respondent is Respondent.WORKER
    assert get_instrument("rprs").respondent is Respondent.CLIENT


def test_unverified_parameters_are_flagged_in_the_licence_note() -> None:
    for code in ("rprs", "cose", "qoli20", "pgi", "mcas", "wai_sr"):
        instrument = get_instrument(code)
        assert instrument.unverified, code
        assert "unverified" in instrument.licence.lower(), code


def test_default_missing_allowance_is_twenty_percent_rounded_down() -> None:
    assert get_instrument("rprs").score("total").allowed_missing == 4
    assert get_instrument("ors").score("total").allowed_missing == 0
    assert get_instrument("wai_sr").score("total").allowed_missing == 2


def test_a_definition_survives_a_round_trip_through_its_document() -> None:
    for instrument in all_instruments():
        assert parse_definition(definition_document(instrument)) == instrument


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "Bad Code"}, "code"),
        ({"respondent": "parent"}, "respondent"),
        (
            {"scores": [{"name": "total", "label": "T", "items": ["q1", "q9"]}]},
            "unknown item 'q9'",
        ),
        (
            {"scores": [{"name": "total", "label": "T", "items": ["q1"], "range": [1, 7]}]},
            "declared range 1-7 but the rule gives 1-6",
        ),
        ({"items": [{"id": "q1", "label": "Item 1", "scale": "other"}]}, "unknown scale"),
        ({"items": [{"id": "q1", "label": "Item 1"}, {"id": "q1", "label": "Item 1"}]}, "unique"),
        (
            {"scores": [{"name": "n", "label": "N", "items": ["q1"], "rule": "count"}]},
            "count_values",
        ),
        (
            {"scores": [{"name": "n", "label": "N", "items": ["q2"], "rule": "weighted"}]},
            "weighted rule",
        ),
        ({"wording": "anything"}, "wording"),
    ],
)
def test_invalid_definitions_are_refused_naming_the_problem(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(DefinitionError, match=message):
        parse_definition(small_definition(**changes))


def test_a_scale_whose_options_miss_its_bounds_is_refused() -> None:
    scales = {"default": {"min": 1, "max": 6, "options": [{"value": 2, "label": "2"}]}}
    with pytest.raises(DefinitionError, match="min and max"):
        parse_definition(small_definition(scales=scales))


def test_a_local_folder_adds_definitions(local_folder: Path) -> None:
    (local_folder / "tiny.yaml").write_text(yaml.safe_dump(small_definition()))
    assert get_instrument("tiny").title == "Tiny test scale"
    assert "rprs" in {i.code for i in all_instruments()}


def test_a_local_definition_replaces_the_built_in_one(local_folder: Path) -> None:
    licensed = definition_document(get_instrument("cose"))
    licensed["version"] = "1-licensed"
    licensed["items"][0]["reverse"] = True
    (local_folder / "cose.yaml").write_text(yaml.safe_dump(licensed))
    registry.reload()
    cose = get_instrument("cose")
    assert cose.version == "1-licensed"
    assert cose.item("q1").reverse


def test_a_broken_local_file_names_the_file(local_folder: Path) -> None:
    (local_folder / "broken.json").write_text('{"code": "x"')
    with pytest.raises(DefinitionError, match=r"broken\.json"):
        all_instruments()


def test_start_up_refuses_a_broken_local_definition(local_folder: Path) -> None:
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    (local_folder / "x.yaml").write_text("code: x\n")
    with pytest.raises(ImproperlyConfigured, match=r"x\.yaml: version: Field required"):
        apps.get_app_config("measures").ready()
