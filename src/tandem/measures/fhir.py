"""FHIR R4 ``Questionnaire`` and ``QuestionnaireResponse`` for instrument definitions and answers.

Pure functions over plain JSON-ready dicts, validated with the ``fhir.resources`` R4B models
(R4B leaves both resources as they are in R4). Nothing here reads the database: the caller
passes the wording (``tandem.measures.selectors.wording_for``) and the stored answers.

Mapping:

- ``Questionnaire.url`` is ``urn:tandem:instrument:<code>``, ``version`` the definition's version,
  ``copyright`` its licence note; scored items are ``choice`` items whose ``answerOption``
  codings carry the response scale (code = value, display = value label), or ``decimal`` items
  with the standard ``minValue``/``maxValue`` extensions for visual-analogue scales; free-text
  fields are ``string`` items. Reverse keying is an item extension.
- The parts FHIR has no element for (named scales, scores and their rules, respondent,
  unverified parameters) travel in one extension holding the definition's JSON, so that an
  exported Questionnaire imports back into an equal definition.
- ``item.text`` is the agency's licensed wording when given, else the neutral label; the neutral
  label also travels in an item extension, so importing never turns wording into a label.

A Questionnaire from elsewhere (without the Tandem extension) imports with its answer options as
scales, neutral labels and one ``total`` sum score; its item texts are returned separately by
``questionnaire_texts`` so that they can be loaded as the agency's wording.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from tandem.measures.registry import (
    DefinitionError,
    Instrument,
    ResponseScale,
    definition_document,
    parse_definition,
)
from tandem.measures.scoring import AnswerError, answer_matrix, check_answers

INSTRUMENT_URL = "urn:tandem:instrument:"
SCALE_SYSTEM = "urn:tandem:scale:"
EXT_DEFINITION = "urn:tandem:fhir:extension:instrument-definition"
EXT_REVERSE = "urn:tandem:fhir:extension:reverse-keyed"
EXT_LABEL = "urn:tandem:fhir:extension:neutral-label"
EXT_MIN = "http://hl7.org/fhir/StructureDefinition/minValue"
EXT_MAX = "http://hl7.org/fhir/StructureDefinition/maxValue"


class FhirError(ValueError):
    """A FHIR resource cannot be read as an instrument definition or a response."""


def _fhir_id(code: str) -> str:
    return code.replace("_", "-")


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _code(value: float) -> str:
    return f"{value:g}"


def _validated(model: type[Questionnaire] | type[QuestionnaireResponse], data: Any) -> Any:
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise FhirError(f"not JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise FhirError("expected a FHIR resource (a JSON object)")
    expected = model.__name__
    if data.get("resourceType") != expected:
        raise FhirError(f"resourceType: expected {expected}, got {data.get('resourceType')!r}")
    try:
        resource = model.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise FhirError(f"{expected}.{where}: {first['msg']}") from None
    return json.loads(resource.model_dump_json())


# ---- Questionnaire ------------------------------------------------------------------------------
def _scale_options(instrument: Instrument, scale_name: str, scale: ResponseScale) -> list[Any]:
    system = f"{SCALE_SYSTEM}{instrument.code}:{scale_name}"
    return [
        {"valueCoding": {"system": system, "code": _code(o.value), "display": o.label}}
        for o in scale.options
    ]


def questionnaire(
    instrument: Instrument, wording: Mapping[str, str] | None = None, language: str | None = None
) -> dict[str, Any]:
    """The definition as a FHIR R4 Questionnaire (a JSON-ready dict).

    ``wording`` maps item ids to the texts to show (an agency's licensed wording in
    ``language``); items without one show their neutral label.
    """
    texts = dict(wording or {})
    scoring = definition_document(instrument)
    for key in ("code", "version", "title", "licence", "items", "text_items"):
        scoring.pop(key, None)
    items: list[dict[str, Any]] = []
    for item in instrument.items:
        scale = instrument.scale_of(item)
        entry: dict[str, Any] = {
            "linkId": item.id,
            "text": texts.get(item.id, item.label),
            "extension": [{"url": EXT_LABEL, "valueString": item.label}],
        }
        if item.reverse:
            entry["extension"].append({"url": EXT_REVERSE, "valueBoolean": True})
        if scale.continuous:
            entry["type"] = "decimal"
            entry["extension"] += [
                {"url": EXT_MIN, "valueDecimal": _number(scale.min)},
                {"url": EXT_MAX, "valueDecimal": _number(scale.max)},
            ]
        else:
            entry["type"] = "choice"
            entry["answerOption"] = _scale_options(instrument, item.scale, scale)
        items.append(entry)
    for text_item in instrument.text_items:
        items.append(
            {
                "linkId": text_item.id,
                "text": texts.get(text_item.id, text_item.label),
                "type": "string",
                "extension": [{"url": EXT_LABEL, "valueString": text_item.label}],
            }
        )
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": _fhir_id(instrument.code),
        "url": INSTRUMENT_URL + instrument.code,
        "version": instrument.version,
        "name": instrument.code.upper(),
        "title": instrument.title,
        "status": "active",
        "subjectType": ["Patient"],
        "copyright": instrument.licence,
        "extension": [{"url": EXT_DEFINITION, "valueString": json.dumps(scoring, sort_keys=True)}],
        "item": items,
    }
    if language:
        resource["language"] = language
    validated: dict[str, Any] = _validated(Questionnaire, resource)
    return validated


def _extension(element: Mapping[str, Any], url: str) -> Mapping[str, Any] | None:
    for extension in element.get("extension") or []:
        if extension.get("url") == url:
            found: Mapping[str, Any] = extension
            return found
    return None


def _foreign_scales(
    items: list[Mapping[str, Any]],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Scales from answer options: one per distinct option set; item id -> scale name."""
    scales: dict[str, Any] = {}
    by_options: dict[str, str] = {}
    item_scale: dict[str, str] = {}
    for item in items:
        if item.get("type") == "decimal":
            low, high = _extension(item, EXT_MIN), _extension(item, EXT_MAX)
            if low is None or high is None:
                raise FhirError(
                    f"item {item['linkId']}: a decimal item needs minValue and maxValue"
                )
            lo, hi = float(low["valueDecimal"]), float(high["valueDecimal"])
            scale = {
                "min": lo,
                "max": hi,
                "continuous": True,
                "options": [{"value": lo, "label": _code(lo)}, {"value": hi, "label": _code(hi)}],
            }
        else:
            options: list[dict[str, Any]] = []
            values: list[float] = []
            for option in item.get("answerOption") or []:
                coding = option.get("valueCoding")
                raw = coding.get("code") if coding else option.get("valueInteger")
                try:
                    value = float(raw)
                except (TypeError, ValueError):
                    raise FhirError(
                        f"item {item['linkId']}: answer options must have numeric codes"
                    ) from None
                label = (coding or {}).get("display") or _code(value)
                options.append({"value": value, "label": str(label)[:80]})
                values.append(value)
            if not options:
                raise FhirError(f"item {item['linkId']}: a choice item needs answer options")
            scale = {"min": min(values), "max": max(values), "options": options}
        key = json.dumps(scale, sort_keys=True)
        if key not in by_options:
            by_options[key] = "default" if not scales else f"scale{len(scales) + 1}"
            scales[by_options[key]] = scale
        item_scale[item["linkId"]] = by_options[key]
    return scales, item_scale


def _code_of(resource: Mapping[str, Any]) -> str:
    url = str(resource.get("url") or "")
    if url.startswith(INSTRUMENT_URL):
        return url[len(INSTRUMENT_URL) :]
    name = str(resource.get("name") or resource.get("id") or "")
    return name.lower().replace("-", "_") or "imported"


def definition_from_questionnaire(resource: Mapping[str, Any] | str | bytes) -> Instrument:
    """Read a Questionnaire (dict or JSON) back into a validated instrument definition."""
    data = _validated(Questionnaire, resource)
    items = [i for i in data.get("item") or [] if i.get("type") in {"choice", "decimal"}]
    text_items = [i for i in data.get("item") or [] if i.get("type") in {"string", "text"}]
    other = [
        i["linkId"]
        for i in data.get("item") or []
        if i.get("type") not in {"choice", "decimal", "string", "text"}
    ]
    if other:
        raise FhirError(f"item {other[0]}: only choice, decimal and string items are supported")
    carried = _extension(data, EXT_DEFINITION)
    document: dict[str, Any]
    if carried is not None:
        try:
            document = json.loads(carried["valueString"])
        except (KeyError, TypeError, json.JSONDecodeError):
            raise FhirError("the instrument-definition extension is not valid JSON") from None
        item_scale = {}
        for item in items:
            coding = ((item.get("answerOption") or [{}])[0]).get("valueCoding") or {}
            system = str(coding.get("system", ""))
            item_scale[item["linkId"]] = system.rsplit(":", 1)[-1] if system else "default"
            if item.get("type") == "decimal":
                item_scale[item["linkId"]] = _continuous_scale(document, item)
    else:
        scales, item_scale = _foreign_scales(items)
        document = {
            "respondent": "client",
            "scales": scales,
            "scores": [{"name": "total", "label": "Total", "items": [i["linkId"] for i in items]}],
        }
    document["code"] = _code_of(data)
    document["version"] = str(data.get("version") or "1")
    document["title"] = str(data.get("title") or document["code"])[:120]
    document["licence"] = str(data.get("copyright") or "Imported from a FHIR Questionnaire.")
    document["items"] = [_item_document(item, n, item_scale) for n, item in enumerate(items, 1)]
    if text_items:
        document["text_items"] = [
            {"id": item["linkId"], "label": _label(item, f"Text {n}")}
            for n, item in enumerate(text_items, 1)
        ]
    try:
        return parse_definition(document)
    except DefinitionError as exc:
        raise FhirError(f"Questionnaire does not make a valid definition: {exc}") from None


def _continuous_scale(document: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    low, high = _extension(item, EXT_MIN), _extension(item, EXT_MAX)
    for name, scale in (document.get("scales") or {}).items():
        if (
            scale.get("continuous")
            and low is not None
            and high is not None
            and math.isclose(float(scale["min"]), float(low["valueDecimal"]))
            and math.isclose(float(scale["max"]), float(high["valueDecimal"]))
        ):
            return str(name)
    return "default"


def _label(item: Mapping[str, Any], fallback: str) -> str:
    carried = _extension(item, EXT_LABEL)
    return str(carried["valueString"]) if carried is not None else fallback


def _item_document(item: Mapping[str, Any], n: int, item_scale: Mapping[str, str]) -> Any:
    entry: dict[str, Any] = {
        "id": item["linkId"],
        "label": _label(item, f"Item {n}"),
        "scale": item_scale[item["linkId"]],
    }
    reverse = _extension(item, EXT_REVERSE)
    if reverse is not None and reverse.get("valueBoolean"):
        entry["reverse"] = True
    return entry


def questionnaire_texts(resource: Mapping[str, Any] | str | bytes) -> dict[str, str]:
    """Item id -> the Questionnaire's item text (to load as an agency's wording)."""
    data = _validated(Questionnaire, resource)
    return {item["linkId"]: item["text"] for item in data.get("item") or [] if item.get("text")}


# ---- QuestionnaireResponse ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ResponseAnswers:
    """Answers read from a QuestionnaireResponse; every scored item is present (None = missing)."""

    answers: dict[str, float | None]
    texts: dict[str, str]
    subject_reference: str
    authored: datetime | None
    status: str


def questionnaire_response(
    instrument: Instrument,
    answers: Mapping[str, float | None],
    subject_reference: str,
    authored: datetime,
    *,
    texts: Mapping[str, str] | None = None,
    status: str = "completed",
) -> dict[str, Any]:
    """A FHIR R4 QuestionnaireResponse (JSON-ready dict); missing answers are left out.

    Answers are checked against the definition first (``AnswerError`` names the item).
    ``authored`` must carry a time zone.
    """
    if authored.tzinfo is None:
        raise ValueError("authored: needs a time zone")
    matrix = answer_matrix(instrument, [answers])
    try:
        check_answers(instrument, matrix)
    except AnswerError as exc:
        raise AnswerError(exc.item_id, exc.problem) from None
    items: list[dict[str, Any]] = []
    for j, item in enumerate(instrument.items):
        value = float(matrix[0, j])
        if math.isnan(value):
            continue
        scale = instrument.scale_of(item)
        if scale.continuous:
            answer: dict[str, Any] = {"valueDecimal": _number(value)}
        else:
            coding = {
                "system": f"{SCALE_SYSTEM}{instrument.code}:{item.scale}",
                "code": _code(value),
            }
            label = scale.label_of(value)
            if label is not None:
                coding["display"] = label
            answer = {"valueCoding": coding}
        items.append({"linkId": item.id, "answer": [answer]})
    text_ids = {text_item.id for text_item in instrument.text_items}
    for item_id, text in (texts or {}).items():
        if item_id not in text_ids:
            raise AnswerError(item_id, "not a free-text field of " + instrument.code)
        if text.strip():
            items.append({"linkId": item_id, "answer": [{"valueString": text}]})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{INSTRUMENT_URL}{instrument.code}|{instrument.version}",
        "status": status,
        "subject": {"reference": subject_reference},
        "authored": authored.isoformat(),
        "item": items,
    }
    validated: dict[str, Any] = _validated(QuestionnaireResponse, resource)
    return validated


def _answer_value(instrument: Instrument, item_id: str, answer: Mapping[str, Any]) -> float:
    if "valueCoding" in answer:
        raw = answer["valueCoding"].get("code")
    elif "valueDecimal" in answer:
        raw = answer["valueDecimal"]
    elif "valueInteger" in answer:
        raw = answer["valueInteger"]
    else:
        raise AnswerError(item_id, "expected a coded, decimal or integer answer")
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise AnswerError(item_id, f"{str(raw)[:20]!r} is not a number") from None


def answers_from_questionnaire_response(
    instrument: Instrument, resource: Mapping[str, Any] | str | bytes
) -> ResponseAnswers:
    """Read a QuestionnaireResponse for this instrument back into answers and free texts."""
    data = _validated(QuestionnaireResponse, resource)
    canonical = str(data.get("questionnaire") or "")
    code = canonical.split("|", 1)[0].removeprefix(INSTRUMENT_URL)
    if canonical and code != instrument.code:
        raise FhirError(f"questionnaire: the response is for {canonical!r}, not {instrument.code}")
    scored = set(instrument.item_ids)
    text_ids = {text_item.id for text_item in instrument.text_items}
    answers: dict[str, float | None] = dict.fromkeys(instrument.item_ids)
    texts: dict[str, str] = {}
    for item in data.get("item") or []:
        item_id = item["linkId"]
        given = item.get("answer") or []
        if len(given) > 1:
            raise AnswerError(item_id, "more than one answer")
        if item_id in text_ids:
            if given:
                texts[item_id] = str(given[0].get("valueString", ""))
        elif item_id in scored:
            answers[item_id] = _answer_value(instrument, item_id, given[0]) if given else None
        else:
            raise AnswerError(item_id, "not an item of " + instrument.code)
    matrix = answer_matrix(instrument, [answers])
    try:
        check_answers(instrument, matrix)
    except AnswerError as exc:
        raise AnswerError(exc.item_id, exc.problem) from None
    authored = data.get("authored")
    return ResponseAnswers(
        answers=answers,
        texts=texts,
        subject_reference=str((data.get("subject") or {}).get("reference", "")),
        authored=datetime.fromisoformat(authored) if authored else None,
        status=str(data.get("status", "")),
    )
