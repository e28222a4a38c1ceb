"""Licensed wording: validation, all-or-nothing loading, revisions, fallback, admin and command."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from tandem.audit.models import Action, AuditEvent
from tandem.measures.models import InstrumentWording
from tandem.measures.registry import get_instrument
from tandem.measures.selectors import wording_for
from tandem.measures.services import load_wording
from tandem.measures.wording import WordingError, parse_wording, read_wording_file
from tests.conftest import LoginAs, World

pytestmark = pytest.mark.django_db


def synthetic(language: str, count: int = 4, prefix: str = "Synthetic item text") -> dict[str, str]:
    suffix = "" if language == "en" else " (fr)"
    return {f"q{n}": f"{prefix} {n}{suffix}" for n in range(1, count + 1)}


def ors_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "instrument": "ors",
        "version": "1",
        "wording": {"en": synthetic("en"), "fr": synthetic("fr")},
    }
    document.update(changes)
    return document


def test_loading_stores_one_revision_per_language_and_audits(world: World) -> None:
    rows = load_wording(
        actor=world.agency_admin, agency=world.agency, document=parse_wording(ors_document())
    )
    assert [(r.language, r.revision) for r in rows] == [("en", 1), ("fr", 1)]
    assert rows[0].uploaded_by == world.agency_admin
    events = AuditEvent.objects.filter(
        object_type="measures.instrumentwording", action=Action.CREATE
    )
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(r.pk) for r in rows)
    assert set(events.values_list("agency_id", flat=True)) == {world.agency.pk}


def test_wording_for_uses_the_newest_revision_and_falls_back_to_neutral_labels(
    world: World,
) -> None:
    ors = get_instrument("ors")
    load_wording(actor=None, agency=world.agency, document=parse_wording(ors_document()))
    newer = ors_document(wording={"fr": {"q1": "Synthetic item text 1, revised (fr)"}})
    load_wording(actor=None, agency=world.agency, document=parse_wording(newer))
    assert wording_for(ors, "fr", world.agency) == {
        "q1": "Synthetic item text 1, revised (fr)",
        "q2": "Item 2",
        "q3": "Item 3",
        "q4": "Item 4",
    }
    assert wording_for(ors, "en", world.agency.pk)["q3"] == "Synthetic item text 3"
    assert InstrumentWording.objects.filter(language="fr").count() == 2


def test_another_agency_sees_only_neutral_labels(world: World) -> None:
    load_wording(actor=None, agency=world.agency, document=parse_wording(ors_document()))
    ors = get_instrument("ors")
    assert wording_for(ors, "en", world.other_agency)["q1"] == "Item 1"
    assert wording_for(ors, "en", None)["q1"] == "Item 1"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"instrument": "nope"}, "unknown instrument"),
        ({"version": "9"}, "version"),
        ({"wording": {"de": synthetic("en")}}, "language 'de'"),
        ({"wording": {"en": {"q5": "Synthetic item text 5"}}}, "wording.en.q5: not an item"),
        ({"wording": {"en": {"q1": "  "}}}, "non-empty"),
        ({"wording": {"en": ["q1"]}}, "mapping"),
        ({"extra": 1}, "unexpected"),
    ],
)
def test_invalid_documents_are_refused_naming_the_fault(
    changes: dict[str, Any], problem: str
) -> None:
    with pytest.raises(WordingError) as caught:
        parse_wording(ors_document(**changes))
    assert any(problem in line for line in caught.value.problems)


def test_one_bad_language_rejects_the_whole_file() -> None:
    bad_fr = synthetic("fr") | {"q9": "Synthetic item text 9"}
    with pytest.raises(WordingError):
        parse_wording(ors_document(wording={"en": synthetic("en"), "fr": bad_fr}))
    assert not InstrumentWording.objects.exists()


def test_loading_is_all_or_nothing_when_a_row_fails(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = parse_wording(ors_document())
    original = InstrumentWording.full_clean
    calls = []

    def fail_second(self: InstrumentWording, *args: Any, **kwargs: Any) -> None:
        calls.append(self.language)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        original(self, *args, **kwargs)

    monkeypatch.setattr(InstrumentWording, "full_clean", fail_second)
    with pytest.raises(RuntimeError):
        load_wording(actor=None, agency=world.agency, document=document)
    assert not InstrumentWording.objects.exists()


def test_free_text_fields_may_be_worded(world: World) -> None:
    document = {"instrument": "pgi", "version": "1", "wording": {"en": {"area1": "Synthetic"}}}
    load_wording(actor=None, agency=world.agency, document=parse_wording(document))
    assert wording_for(get_instrument("pgi"), "en", world.agency)["area1"] == "Synthetic"


def test_only_an_administrator_of_the_agency_may_load(world: World) -> None:
    document = parse_wording(ors_document())
    for outsider in (world.case_manager, world.other_agency_case_manager):
        with pytest.raises(PermissionDenied):
            load_wording(actor=outsider, agency=world.agency, document=document)
    assert not InstrumentWording.objects.exists()
    assert AuditEvent.objects.filter(action=Action.DENIED).count() == 2


# ---- command ------------------------------------------------------------------------------------
def write(tmp_path: Path, document: Any, name: str = "ors-wording.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_command_loads_a_file(world: World, tmp_path: Path) -> None:
    out = StringIO()
    path = write(tmp_path, ors_document())
    call_command(
        "instruments",
        "load",
        str(path),
        "--agency",
        world.agency.slug,
        "--user",
        world.agency_admin.email,
        stdout=out,
    )
    assert "loaded ors v1 fr revision 1 (4 texts)" in out.getvalue()
    assert InstrumentWording.objects.filter(uploaded_by=world.agency_admin).count() == 2


def test_command_refuses_a_bad_file_and_writes_nothing(world: World, tmp_path: Path) -> None:
    path = write(tmp_path, ors_document(wording={"en": {"q7": "Synthetic item text 7"}}))
    with pytest.raises(CommandError, match=r"wording\.en\.q7: not an item of ors"):
        call_command("instruments", "load", str(path), "--agency", world.agency.slug)
    assert not InstrumentWording.objects.exists()


def test_command_needs_a_known_agency(tmp_path: Path) -> None:
    path = write(tmp_path, ors_document())
    with pytest.raises(CommandError, match="--agency"):
        call_command("instruments", "load", str(path))
    with pytest.raises(CommandError, match="unknown agency"):
        call_command("instruments", "load", str(path), "--agency", "nowhere")


def test_command_validates_wording_and_definitions(tmp_path: Path) -> None:
    out = StringIO()
    call_command("instruments", "validate", str(write(tmp_path, ors_document())), stdout=out)
    assert "valid wording for ors (en 4 texts, fr 4 texts)" in out.getvalue()
    definition = tmp_path / "tiny.yaml"
    from tests.measures.test_registry import small_definition

    definition.write_text(yaml.safe_dump(small_definition()))
    call_command("instruments", "validate", str(definition), stdout=out)
    assert "valid definition of tiny v1" in out.getvalue()
    definition.write_text(yaml.safe_dump(small_definition(respondent="parent")))
    with pytest.raises(CommandError, match="respondent"):
        call_command("instruments", "validate", str(definition))


def test_command_lists_instruments() -> None:
    out = StringIO()
    call_command("instruments", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 10
    assert any(line.startswith("rprs\tv1\tclient\t24 items") for line in lines)


def test_read_wording_file_reports_bad_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("instrument: [", encoding="utf-8")
    with pytest.raises(WordingError, match="not valid YAML"):
        read_wording_file(path)


# ---- admin --------------------------------------------------------------------------------------
ADD_URL = "/admin/measures/instrumentwording/add/"
LIST_URL = "/admin/measures/instrumentwording/"


def upload(texts: dict[str, str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("wording.yaml", yaml.safe_dump(texts).encode(), "text/yaml")


def test_agency_admin_uploads_wording_in_the_admin(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.agency_admin)
    form = {"agency": world.agency.pk, "instrument_code": "srs", "language": "fr"}
    response = http.post(ADD_URL, {**form, "wording_file": upload(synthetic("fr"))})
    assert response.status_code == 302, response.content
    response = http.post(ADD_URL, {**form, "wording_file": upload(synthetic("fr", 2))})
    assert response.status_code == 302
    row = InstrumentWording.objects.get(revision=2)
    assert (row.instrument_code, row.instrument_version, row.uploaded_by) == (
        "srs",
        "1",
        world.agency_admin,
    )
    assert wording_for(get_instrument("srs"), "fr", world.agency)["q3"] == "Item 3"
    assert (
        AuditEvent.objects.filter(
            object_type="measures.instrumentwording", action=Action.CREATE
        ).count()
        == 2
    )


def test_admin_refuses_unknown_item_ids(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.agency_admin)
    response = http.post(
        ADD_URL,
        {
            "agency": world.agency.pk,
            "instrument_code": "srs",
            "language": "en",
            "wording_file": upload({"q5": "Synthetic item text 5"}),
        },
    )
    assert response.status_code == 200
    assert b"not an item of srs" in response.content
    assert not InstrumentWording.objects.exists()


def test_admin_cannot_upload_for_another_agency(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.agency_admin)
    response = http.post(
        ADD_URL,
        {
            "agency": world.other_agency.pk,
            "instrument_code": "srs",
            "language": "en",
            "wording_file": upload(synthetic("en")),
        },
    )
    assert response.status_code == 200
    assert not InstrumentWording.objects.exists()


def test_admin_lists_only_own_agency_rows_and_never_edits_them(
    world: World, login_as: LoginAs
) -> None:
    load_wording(actor=None, agency=world.agency, document=parse_wording(ors_document()))
    load_wording(actor=None, agency=world.other_agency, document=parse_wording(ors_document()))
    http: HttpClient = login_as(world.agency_admin)
    response = http.get(LIST_URL)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    own = InstrumentWording.objects.filter(agency=world.agency).first()
    other = InstrumentWording.objects.filter(agency=world.other_agency).first()
    assert own is not None
    assert other is not None
    page = http.get(f"{LIST_URL}{own.pk}/change/")
    assert page.status_code == 200
    assert b"Synthetic item text 2" in page.content
    assert b'name="_save"' not in page.content
    assert http.get(f"{LIST_URL}{other.pk}/change/").status_code in (302, 403, 404)


def test_case_manager_has_no_admin_access(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.case_manager)
    assert http.get(ADD_URL).status_code in (302, 403)


def test_command_exports_a_questionnaire_with_the_agencys_wording(
    world: World, tmp_path: Path
) -> None:
    import json

    load_wording(actor=None, agency=world.agency, document=parse_wording(ors_document()))
    out = StringIO()
    call_command(
        "instruments", "fhir", "ORS", "--agency", world.agency.slug, "--language", "fr", stdout=out
    )
    resource = json.loads(out.getvalue())
    assert resource["resourceType"] == "Questionnaire"
    assert resource["item"][0]["text"] == "Synthetic item text 1 (fr)"
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, object_id="ors", agency_id=world.agency.pk
    ).exists()
    path = tmp_path / "ors.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    back = StringIO()
    call_command("instruments", "from-fhir", str(path), stdout=back)
    assert yaml.safe_load(back.getvalue())["code"] == "ors"
    assert "Synthetic" not in back.getvalue()


def test_command_refuses_unknown_codes_and_unreadable_questionnaires(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="unknown instrument"):
        call_command("instruments", "fhir", "nope")
    path = tmp_path / "q.json"
    path.write_text('{"resourceType": "Patient"}', encoding="utf-8")
    with pytest.raises(CommandError, match="expected Questionnaire"):
        call_command("instruments", "from-fhir", str(path))


def test_admin_accepts_a_whole_wording_file_and_takes_the_chosen_language(
    world: World, login_as: LoginAs
) -> None:
    http: HttpClient = login_as(world.agency_admin)
    form = {"agency": world.agency.pk, "instrument_code": "ors", "language": "fr"}
    file = SimpleUploadedFile("w.yaml", yaml.safe_dump(ors_document()).encode(), "text/yaml")
    assert http.post(ADD_URL, {**form, "wording_file": file}).status_code == 302
    assert wording_for(get_instrument("ors"), "fr", world.agency)["q2"] == (
        "Synthetic item text 2 (fr)"
    )
    other = SimpleUploadedFile("w.yaml", yaml.safe_dump(ors_document()).encode(), "text/yaml")
    response = http.post(ADD_URL, {**form, "instrument_code": "srs", "wording_file": other})
    assert response.status_code == 200
    assert b"the file is for ors, not srs" in response.content
