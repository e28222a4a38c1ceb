"""REFI-QDA exchange: round trips, validity against the REFI schemas, other tools' files, and
hostile files refused with every problem named."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import uuid
import zipfile
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tandem.qualitative.exchange import (
    Case,
    Code,
    Codebook,
    Coding,
    ExchangeError,
    Note,
    Project,
    ReadLimits,
    Source,
    User,
    Variable,
    VariableType,
    VariableValue,
    read_qdc,
    read_qdpx,
    write_qdc,
    write_qdpx,
)

# The sha256 of the unedited REFI-QDA 1.0 schemas (shared/standards/refi-qda/SOURCE.md).
SCHEMA_SHA256 = {
    "Project": "7841112e27897debf996f76209b9c5a5d074d66c1297a2f19f5ef250d29303bd",
    "Codebook": "bc4706a6fdb736cc3248de1753366f2b1f5b13e6828d319cea2874deb7e61b52",
}

WHEN = dt.datetime(2026, 3, 14, 9, 30, 5, tzinfo=dt.UTC)


def guid(label: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tandem-test/{label}"))


def xsd(kind: str) -> etree.XMLSchema:
    path = resources.files("tandem.qualitative.exchange").joinpath(f"schemas/{kind}.xsd")
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256[kind]
    return etree.XMLSchema(etree.fromstring(data))


def entries(qdpx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def make_zip(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


def refused(data: bytes, **kwargs: Any) -> ExchangeError:
    with pytest.raises(ExchangeError) as caught:
        read_qdpx(data, **kwargs)
    return caught.value


# --- a project with one of everything -----------------------------------------------------------

TRANSCRIPT = (
    "Intervieweuse : qu'est-ce qui vous a aidé ?\n"
    "Participante : elle m'écoutait vraiment 😀, sans juger.\n"
    "On fixait les objectifs ensemble, à mon rythme.\n"
)


@pytest.fixture
def project() -> Project:
    alice = User(guid("alice"), "Alice Martin")
    bob = User(guid("bob"), "Bob Tremblay")
    listening = Code(guid("listening"), "Feeling heard", "#2A7AB0", "Being listened to.")
    pace = Code(guid("pace"), "Own pace", "#c60")
    bond = Code(guid("bond"), "Bond", None, "", True, (listening,))
    alliance = Code(guid("alliance"), "Alliance", "#888", "Category", False, (bond, pace))
    other = Code(guid("other"), "Other")
    variables = (
        Variable(guid("gender"), "Gender", VariableType.TEXT, "Self-described"),
        Variable(guid("returning"), "Returning", VariableType.BOOLEAN),
        Variable(guid("visits"), "Visits", VariableType.INTEGER),
        Variable(guid("score"), "Score", VariableType.FLOAT),
        Variable(guid("intake"), "Intake", VariableType.DATE),
        Variable(guid("interview"), "Interviewed", VariableType.DATETIME),
    )
    start = TRANSCRIPT.index("elle")
    end = TRANSCRIPT.index(", sans") + len(", sans juger.")
    goals = TRANSCRIPT.index("On fixait")
    shared = guid("shared-selection")
    first = Source(
        guid("interview-1"),
        "Interview 1",
        TRANSCRIPT,
        description="First interview",
        creating_user_guid=alice.guid,
        created_at=WHEN,
        modifying_user_guid=bob.guid,
        modified_at=WHEN + dt.timedelta(days=1),
        codings=(
            Coding(guid("c1"), listening.guid, start, end, alice.guid, WHEN),
            Coding(guid("c2"), listening.guid, start + 5, end + 3, bob.guid, WHEN),
            Coding(guid("c3"), pace.guid, goals, len(TRANSCRIPT) - 1, alice.guid, None, shared),
            Coding(guid("c4"), other.guid, goals, len(TRANSCRIPT) - 1, bob.guid, WHEN, shared),
            Coding(guid("c5"), pace.guid, 0, 0, None, None),
        ),
        values=(VariableValue(guid("visits"), 3),),
    )
    second = Source(guid("interview-2"), "Interview 2", "Short.\n", codings=())
    cases = (
        Case(
            guid("p1"),
            "P1",
            "First participant",
            (
                VariableValue(guid("gender"), "woman"),
                VariableValue(guid("returning"), True),
                VariableValue(guid("visits"), 12),
                VariableValue(guid("score"), 0.1 + 0.2),
                VariableValue(guid("intake"), dt.date(2025, 11, 3)),
                VariableValue(guid("interview"), WHEN),
            ),
            (first.guid,),
        ),
        Case(guid("p2"), "P2", values=(VariableValue(guid("score"), -1250.0),)),
    )
    notes = (
        Note(
            guid("memo-code"),
            "On listening",
            "Listening comes up in every interview.\nSee P1.",
            frozenset({listening.guid, cases[0].guid, first.guid}),
            creating_user_guid=alice.guid,
            created_at=WHEN,
        ),
        Note(guid("memo-coding"), "Why", "Borderline", frozenset({guid("c2"), shared})),
        Note(guid("memo-project"), "Plan", "Two coders, then reconcile.", about_project=True),
    )
    return Project(
        name="Alliance interviews",
        origin="Tandem",
        description="What helps the working alliance",
        creating_user_guid=alice.guid,
        created_at=WHEN,
        modified_at=WHEN,
        users=(alice, bob),
        codes=(alliance, other),
        variables=variables,
        cases=cases,
        sources=(first, second),
        notes=notes,
    )


def test_round_trip_reproduces_the_whole_project(project: Project) -> None:
    again = read_qdpx(write_qdpx(project))
    assert again == project
    # Spelled out for the parts an importer relies on most.
    assert [c.name for c in again.all_codes()] == [c.name for c in project.all_codes()]
    assert [(c.start, c.end, c.creating_user_guid) for c in again.sources[0].codings] == [
        (c.start, c.end, c.creating_user_guid) for c in project.sources[0].codings
    ]
    assert again.cases[0].values == project.cases[0].values
    assert again.skipped == ()


def test_offsets_count_code_points_in_accented_text_with_emoji(project: Project) -> None:
    again = read_qdpx(write_qdpx(project))
    coding = again.sources[0].codings[0]
    assert (
        again.sources[0].text[coding.start : coding.end]
        == "elle m'écoutait vraiment 😀, sans juger."
    )


XML_TEXT = st.text(
    st.one_of(st.characters(exclude_categories=("Cs", "Cc", "Cn")), st.sampled_from("\n\t<&\"'")),
    max_size=40,
)


@st.composite
def random_projects(draw: st.DrawFn) -> Project:
    texts = draw(st.lists(XML_TEXT, min_size=1, max_size=3))
    users = tuple(User(str(uuid.uuid4()), draw(XML_TEXT)) for _ in range(draw(st.integers(0, 3))))
    codes = tuple(
        Code(
            str(uuid.uuid4()), draw(XML_TEXT), draw(st.none() | st.just("#a1B2c3")), draw(XML_TEXT)
        )
        for _ in range(draw(st.integers(1, 4)))
    )
    sources = []
    for text in texts:
        codings = []
        for _ in range(draw(st.integers(0, 4))):
            start = draw(st.integers(0, len(text)))
            end = draw(st.integers(start, len(text)))
            coder = draw(st.none() | st.sampled_from(users)) if users else None
            codings.append(
                Coding(
                    str(uuid.uuid4()),
                    draw(st.sampled_from(codes)).guid,
                    start,
                    end,
                    coder.guid if coder else None,
                    draw(st.none() | st.just(WHEN)),
                )
            )
        sources.append(Source(str(uuid.uuid4()), draw(XML_TEXT), text, codings=tuple(codings)))
    return Project(
        name=draw(XML_TEXT),
        users=users,
        codes=codes,
        sources=tuple(sources),
        description=draw(XML_TEXT),
    )


@settings(max_examples=40, deadline=None)
@given(random_projects())
def test_round_trip_of_random_projects_keeps_texts_names_and_offsets(project: Project) -> None:
    assert read_qdpx(write_qdpx(project)) == project


def test_characters_xml_cannot_carry_are_refused_on_export() -> None:
    with pytest.raises(ExchangeError) as caught:
        write_qdpx(Project(name="bell\x07"))
    assert caught.value.codes == {"xml-character"}


def test_qdpx_holds_project_qde_and_one_utf8_text_per_source(project: Project) -> None:
    files = entries(write_qdpx(project))
    assert set(files) == {"project.qde", *(f"sources/{s.guid}.txt" for s in project.sources)}
    assert files[f"sources/{project.sources[0].guid}.txt"].decode("utf-8") == TRANSCRIPT


def test_exported_project_validates_against_project_xsd(project: Project) -> None:
    document = etree.fromstring(entries(write_qdpx(project))["project.qde"])
    schema = xsd("Project")
    assert schema.validate(document), schema.error_log
    # The two codings that share a selection are written in one PlainTextSelection.
    ns = {"q": "urn:QDA-XML:project:1.0"}
    shared = document.find(f".//q:PlainTextSelection[@guid='{guid('shared-selection')}']", ns)
    assert shared is not None
    assert len(shared.findall("q:Coding", ns)) == 2


def test_a_project_with_nothing_in_it_leaves_out_every_container() -> None:
    data = write_qdpx(Project(name="Empty"))
    document = etree.fromstring(entries(data)["project.qde"])
    assert xsd("Project").validate(document)
    assert len(document) == 0
    assert read_qdpx(data) == Project(name="Empty")


def test_export_is_the_same_bytes_each_time(project: Project) -> None:
    assert write_qdpx(project) == write_qdpx(project)


def test_codebook_round_trips_and_validates_against_codebook_xsd(project: Project) -> None:
    codebook = Codebook(codes=project.codes, origin="Tandem")
    data = write_qdc(codebook)
    assert xsd("Codebook").validate(etree.fromstring(data))
    assert read_qdc(data) == codebook


def test_empty_codebook_cannot_be_written() -> None:
    with pytest.raises(ExchangeError) as caught:
        write_qdc(Codebook(codes=()))
    assert caught.value.codes == {"codebook-empty"}


def test_writer_lists_every_inconsistency_before_writing(project: Project) -> None:
    source = project.sources[1]
    broken = Source(
        source.guid,
        source.name,
        source.text,
        creating_user_guid=guid("nobody"),
        codings=(
            Coding(guid("late"), guid("pace"), 2, 99),
            Coding(guid("ghost"), guid("no-such-code"), 0, 1),
        ),
    )
    bad_code = Code(guid("bad"), "Bad colour", "blue")
    invalid = Project(
        name="Broken",
        users=project.users,
        codes=(*project.codes, bad_code),
        sources=(project.sources[0], broken),
    )
    with pytest.raises(ExchangeError) as caught:
        write_qdpx(invalid)
    assert caught.value.codes == {
        "unknown-user",
        "selection-range",
        "unknown-code",
        "color",
        "unknown-variable",
    }


# --- files as other tools write them ----------------------------------------------------------

OTHER_TOOL_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Focus groups" origin="Some QDA 2024"
         creatingUserGUID="{{{coder1_upper}}}" creationDateTime="2024-05-02T10:00:00Z">
  <CodeBook>
    <Codes>
      <Code guid="{theme}" name="Access" isCodable="false" color="#AA3300">
        <Description>Getting to services</Description>
        <Code guid="{waiting}" name="Waiting times" isCodable="true">
          <NoteRef targetGUID="{memo}"/>
        </Code>
      </Code>
    </Codes>
  </CodeBook>
  <Variables>
    <Variable guid="{gender}" name="Gender" typeOfVariable="Text"/>
    <Variable guid="{age}" name="Age" typeOfVariable="Integer"/>
  </Variables>
  <Cases>
    <Case guid="{case}" name="Participant 7">
      <VariableValue><VariableRef targetGUID="{gender}"/><TextValue>man</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{age}"/><TextValue>41</TextValue></VariableValue>
      <SourceRef targetGUID="{source_file}"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{source_file}" name="Group 1" plainTextPath="internal://{source_file_upper}.txt">
      <PlainTextSelection guid="{sel1}" startPosition="6" endPosition="18"
                          creatingUser="{coder2}" creationDateTime="2024-05-03T08:00:00Z">
        <Coding guid="{coding1}"><CodeRef targetGUID="{waiting}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{sel2}" startPosition="20" endPosition="29">
        <Coding guid="{coding2}" creatingUser="{coder1}"><CodeRef targetGUID="{waiting}"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{source_inline}" name="Group 2">
      <PlainTextContent>Inline text, typed in the tool.</PlainTextContent>
      <PlainTextSelection guid="{sel3}" startPosition="0" endPosition="6">
        <Coding guid="{coding3}" creatingUser="{coder2}"><CodeRef targetGUID="{theme}"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <PDFSource guid="{pdf}" name="Scan" path="internal://{pdf}.pdf"/>
  </Sources>
  <Notes>
    <Note guid="{memo}" name="Memo" plainTextPath="internal://{memo}.txt"/>
  </Notes>
</Project>
"""


def other_tool_qdpx() -> tuple[bytes, dict[str, str]]:
    ids = {
        name: str(uuid.uuid4())
        for name in [
            *("coder1", "coder2", "theme", "waiting", "memo", "gender", "age", "case"),
            *("source_file", "source_inline", "sel1", "sel2", "sel3"),
            *("coding1", "coding2", "coding3", "pdf"),
        ]
    }
    upper = {f"{k}_upper": v.upper() for k, v in ids.items()}
    qde = OTHER_TOOL_QDE.format(**ids, **upper)
    # Windows line endings in the file: offsets 6..18 and 20..29 count the \r characters.
    text = "Line\r\nwaiting list\r\nthen more\r\n"
    files: dict[str, bytes | str] = {
        "Focus groups.qde": qde,
        f"Sources/{ids['source_file'].upper()}.txt": text.encode("utf-8-sig"),
        f"Sources/{ids['memo']}.txt": "Waiting comes up twice.",
        f"Sources/{ids['pdf']}.pdf": b"%PDF-1.4",
    }
    return make_zip(files), ids


def test_imports_a_file_shaped_like_other_tools_output() -> None:
    data, ids = other_tool_qdpx()
    project = read_qdpx(data)

    assert project.name == "Focus groups"
    assert project.creating_user_guid == ids["coder1"]  # braces and upper case normalised
    theme = project.codes[0]
    assert (theme.name, theme.is_codable, theme.color) == ("Access", False, "#AA3300")
    assert [c.name for c in theme.children] == ["Waiting times"]

    group1, group2 = project.sources
    assert group1.text == "Line\nwaiting list\nthen more\n"
    assert [group1.text[c.start : c.end] for c in group1.codings] == ["waiting list", "then more"]
    # The coder comes from the coding, or from its selection when the coding has none.
    assert [c.creating_user_guid for c in group1.codings] == [ids["coder2"], ids["coder1"]]
    assert group1.codings[0].created_at == dt.datetime(2024, 5, 3, 8, tzinfo=dt.UTC)
    assert group2.text[group2.codings[0].start : group2.codings[0].end] == "Inline"

    # No Users element: the coders are the users named on codings and on the project.
    assert {u.guid for u in project.users} == {ids["coder1"], ids["coder2"]}

    (case,) = project.cases
    assert case.name == "Participant 7"
    assert case.source_guids == (ids["source_file"],)
    assert {v.value for v in case.values} == {"man", 41}

    (memo,) = project.notes
    assert memo.text == "Waiting comes up twice."
    assert memo.targets == {ids["waiting"]}
    assert any("PDFSource" in item for item in project.skipped)


def test_imported_other_tool_project_exports_as_a_valid_qdpx() -> None:
    data, _ = other_tool_qdpx()
    project = read_qdpx(data)
    exported = write_qdpx(project)
    assert xsd("Project").validate(etree.fromstring(entries(exported)["project.qde"]))
    assert read_qdpx(exported) == project


def test_lower_case_sources_folder_and_any_qde_name_are_found() -> None:
    source = str(uuid.uuid4()).upper()
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>'
        f'<TextSource guid="{source}" name="t" plainTextPath="internal://{source.lower()}.txt"/>'
        "</Sources></Project>"
    )
    project = read_qdpx(make_zip({"export.QDE": qde, f"sources/{source}.TXT": "Bonjour"}))
    assert project.sources[0].text == "Bonjour"
    assert project.sources[0].guid == source.lower()


def test_codebook_from_another_tool_with_braced_upper_case_guids() -> None:
    code = str(uuid.uuid4())
    qdc = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Other">'
        f'<Codes><Code guid="{{{code.upper()}}}" name="Hope" isCodable="true"/></Codes>'
        "</CodeBook>"
    )
    assert read_qdc(qdc.encode()) == Codebook((Code(code, "Hope"),), origin="Other")


# --- hostile and broken files -------------------------------------------------------------------


def minimal_qde(body: str = "", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}\n'
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="p">{body}</Project>'
    )


def test_external_entity_is_refused_not_read() -> None:
    prolog = '<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    body = "<Description>&xxe;</Description>"
    error = refused(make_zip({"project.qde": minimal_qde(body, prolog)}))
    assert error.codes == {"xml-entity"}
    assert "passwd" not in str(error)
    assert error.problems[0].line == 1


def test_billion_laughs_is_refused_not_expanded() -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    prolog = f'<!DOCTYPE Project [<!ENTITY lol0 "lol">{entities}]>'
    error = refused(
        make_zip({"project.qde": minimal_qde("<Description>&lol9;</Description>", prolog)})
    )
    assert error.codes == {"xml-entity"}
    assert error.problems[0].line == 1


def test_codebook_with_an_entity_is_refused() -> None:
    qdc = '<!DOCTYPE CodeBook [<!ENTITY x "y">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'
    with pytest.raises(ExchangeError) as caught:
        read_qdc(qdc.encode())
    assert caught.value.codes == {"xml-entity"}


def test_zip_bomb_stops_at_the_size_limit() -> None:
    source = str(uuid.uuid4())
    qde = minimal_qde(
        f'<Sources><TextSource guid="{source}" name="t" plainTextPath="internal://{source}.txt"/></Sources>'
    )
    bomb = make_zip({"project.qde": qde, f"sources/{source}.txt": b"\0" * 5_000_000})
    assert len(bomb) < 50_000
    error = refused(bomb, limits=ReadLimits(max_bytes=1_000_000))
    assert error.codes == {"zip-too-large"}


def test_zip_whose_header_understates_a_size_is_refused_not_inflated() -> None:
    source = str(uuid.uuid4())
    qde = minimal_qde(
        f'<Sources><TextSource guid="{source}" name="t" plainTextPath="internal://{source}.txt"/></Sources>'
    )
    data = bytearray(make_zip({"project.qde": qde, f"sources/{source}.txt": b"x" * 200_000}))
    # Claim 100 bytes in both the local header and the central directory of the text entry.
    name = f"sources/{source}.txt"
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        struct.pack_into("<I", data, archive.getinfo(name).header_offset + 22, 100)
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 100)
    error = refused(bytes(data))
    assert error.codes == {"zip-corrupt"}


def test_too_many_entries_are_refused() -> None:
    files: dict[str, bytes | str] = {f"sources/{i}.txt": "x" for i in range(20)}
    files["project.qde"] = minimal_qde()
    assert refused(make_zip(files), limits=ReadLimits(max_entries=10)).codes == {"zip-entries"}


@pytest.mark.parametrize(
    "name", ["../evil.txt", "sources/../../evil.txt", "/etc/cron.d/x", "C:\\x.txt"]
)
def test_unsafe_entry_names_are_refused(name: str) -> None:
    error = refused(make_zip({"project.qde": minimal_qde(), name: "x"}))
    assert error.codes == {"zip-path"}
    assert error.problems[0].element == f"entry {name!r}"


def test_source_path_that_climbs_out_of_the_archive_is_refused() -> None:
    source = str(uuid.uuid4())
    qde = minimal_qde(
        f'<Sources><TextSource guid="{source}" name="t" plainTextPath="internal://../../etc/passwd"/></Sources>'
    )
    assert refused(make_zip({"project.qde": qde})).codes == {"zip-path"}


def test_source_outside_the_file_is_not_read() -> None:
    source = str(uuid.uuid4())
    qde = minimal_qde(
        f'<Sources><TextSource guid="{source}" name="t" plainTextPath="absolute:///etc/hostname"/></Sources>'
    )
    assert refused(make_zip({"project.qde": qde})).codes == {"source-path"}


def test_missing_project_xml_is_named() -> None:
    error = refused(make_zip({"sources/a.txt": "text", "nested/project.qde": minimal_qde()}))
    assert error.codes == {"no-project-xml"}


def test_a_file_that_is_not_a_zip_is_refused() -> None:
    assert refused(minimal_qde().encode()).codes == {"not-zip"}


def test_malformed_xml_names_the_line() -> None:
    qde = '<?xml version="1.0"?>\n<Project name="p">\n<Users>\n</Project>'
    error = refused(make_zip({"project.qde": qde}))
    assert error.codes == {"xml-malformed"}
    assert error.problems[0].line == 4


def test_selection_past_the_end_is_refused_with_its_line() -> None:
    source = str(uuid.uuid4())
    code = str(uuid.uuid4())
    qde = minimal_qde(
        f'<CodeBook><Codes><Code guid="{code}" name="c" isCodable="true"/></Codes></CodeBook>\n'
        f'<Sources><TextSource guid="{source}" name="t">'
        "<PlainTextContent>Ten chars.</PlainTextContent>\n"
        f'<PlainTextSelection guid="{uuid.uuid4()}" startPosition="4" endPosition="11">'
        f'<Coding guid="{uuid.uuid4()}"><CodeRef targetGUID="{code}"/></Coding>'
        "</PlainTextSelection></TextSource></Sources>"
    )
    error = refused(make_zip({"project.qde": qde}))
    assert error.codes == {"selection-range"}
    assert error.problems[0].line == 4
    assert "4..11" in str(error)


def test_every_problem_of_a_broken_file_is_listed_with_element_and_line() -> None:
    ids = {k: str(uuid.uuid4()) for k in ("code", "s1", "s2", "sel1", "sel2", "c1", "c2", "var")}
    qde = minimal_qde(
        f'<CodeBook><Codes><Code guid="{ids["code"]}" name="c" isCodable="true"/>'
        "</Codes></CodeBook>\n"
        f'<Variables><Variable guid="{ids["var"]}" name="Age" typeOfVariable="Integer"/>'
        "</Variables>\n"
        f'<Cases><Case guid="{uuid.uuid4()}" name="P"><VariableValue>'
        f'<VariableRef targetGUID="{ids["var"]}"/><IntegerValue>forty</IntegerValue>'
        "</VariableValue></Case></Cases>\n"
        f'<Sources><TextSource guid="{ids["s1"]}" name="one">'
        "<PlainTextContent>abc</PlainTextContent>\n"
        f'<PlainTextSelection guid="{ids["sel1"]}" startPosition="2" endPosition="1"/>\n'
        f'<PlainTextSelection guid="{ids["sel2"]}" startPosition="0" endPosition="1">'
        f'<Coding guid="{ids["c1"]}"><CodeRef targetGUID="{uuid.uuid4()}"/></Coding>'
        "</PlainTextSelection></TextSource>\n"
        f'<TextSource guid="{ids["s2"]}" name="two" plainTextPath="internal://missing.txt"/>\n'
        "</Sources>"
    )
    error = refused(make_zip({"project.qde": qde}))
    by_code = {p.code: p for p in error.problems}
    assert set(by_code) == {"variable-value", "selection-range", "unknown-code", "source-missing"}
    assert by_code["variable-value"].line == 4
    assert by_code["selection-range"].line == 6
    assert by_code["unknown-code"].line == 7
    assert by_code["source-missing"].element == "<TextSource> 'two'"


def test_duplicate_guids_and_bad_dates_are_problems() -> None:
    same = str(uuid.uuid4())
    qde = minimal_qde(
        f'<Users><User guid="{same}" name="a"/><User guid="{same.upper()}" name="b"/></Users>'
        f'<CodeBook><Codes><Code guid="not-a-guid" name="c" isCodable="true"/></Codes></CodeBook>'
    ).replace('name="p"', 'name="p" creationDateTime="yesterday"')
    error = refused(make_zip({"project.qde": qde}))
    assert error.codes == {"guid-duplicate", "guid", "datetime"}
