"""A synthetic qualitative study for the demo agency: what helps the working alliance.

Three invented interview transcripts (``demo_transcripts/``, written for the demo; no real
person), one case each with a gender and a programme, a codebook of categories, themes and codes
with definitions, and two coders: the researcher leads the project and codes, the qualitative
analyst codes too. Their codings partly differ on every transcript; the first transcript is
reconciled into consensus codings (one stretch to neither coder's coding). Memos, a saved
codebook version taken before the repair codes were added, and two member-checking links, one
answered and one open. Everything is written through the app's services, so it is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from django.urls import reverse

from tandem.accounts.models import User
from tandem.orgs.models import Agency
from tandem.qualitative.agreement import differences
from tandem.qualitative.coders import Coder
from tandem.qualitative.models import AttributeType, Code, Document, Project, ProjectRole
from tandem.qualitative.services import cases as case_services
from tandem.qualitative.services import codebook as codebook_services
from tandem.qualitative.services import coding as coding_services
from tandem.qualitative.services import documents as document_services
from tandem.qualitative.services import member_checks as check_services
from tandem.qualitative.services import memos as memo_services
from tandem.qualitative.services import projects as project_services

PROJECT_TITLE = "What helps the working alliance (demo interviews)"


@dataclass(frozen=True)
class DemoCode:
    name: str
    definition: str
    inclusion: str = ""
    exclusion: str = ""
    children: tuple[DemoCode, ...] = ()


# Category -> theme -> code. The repair theme is added after the codebook version is saved.
COLOURS = {
    "Relationship": "#4477aa",
    "Working together": "#228833",
    "Strains and repair": "#aa3377",
}
CODEBOOK = (
    DemoCode(
        "Relationship",
        "How the client and the case manager relate to each other as people.",
        children=(
            DemoCode(
                "Being heard",
                "The client feels listened to and known.",
                children=(
                    DemoCode(
                        "Listening without judgement",
                        "The case manager hears difficult news without blame or lecture.",
                        "Reactions to lapses, relapses, missed appointments.",
                        "Listening about practical tasks only (code under Practical help).",
                    ),
                    DemoCode(
                        "Remembering what matters",
                        "The case manager recalls what the client cares about and asks again.",
                        "Pets, hobbies, family, earlier goals brought up later.",
                    ),
                ),
            ),
            DemoCode(
                "Trust",
                "What makes the client rely on the case manager.",
                children=(
                    DemoCode(
                        "Reliability",
                        "Doing what was said, when it was said.",
                        "Punctuality, follow-up on small promises.",
                        "A promise broken (code Broken promise).",
                    ),
                    DemoCode(
                        "Honesty about limits",
                        "Saying plainly what the case manager can and cannot do.",
                    ),
                ),
            ),
        ),
    ),
    DemoCode(
        "Working together",
        "How the work itself is shared between client and case manager.",
        children=(
            DemoCode(
                "Shared goals",
                "Goals chosen and ordered by the client.",
                children=(
                    DemoCode(
                        "Client sets the agenda",
                        "The client decides what the goals and each meeting are about.",
                        "Goals written in the client's words.",
                    ),
                    DemoCode(
                        "Small steps",
                        "Breaking a goal into parts the client can manage.",
                    ),
                ),
            ),
            DemoCode(
                "Practical help",
                "Concrete help with daily life and services.",
                children=(
                    DemoCode(
                        "Forms and benefits",
                        "Help with applications, documents, benefits and calls to offices.",
                    ),
                    DemoCode(
                        "Going along",
                        "The case manager accompanies the client to an appointment or meeting.",
                    ),
                ),
            ),
        ),
    ),
    DemoCode(
        "Strains and repair",
        "What strains the alliance and how it is mended.",
        children=(
            DemoCode(
                "Ruptures",
                "Moments when the relationship is strained.",
                children=(
                    DemoCode(
                        "Staff turnover",
                        "A case manager leaves, or the client fears they will.",
                    ),
                    DemoCode(
                        "Feeling rushed",
                        "Short or crowded meetings, paperwork taking the client's time.",
                    ),
                    DemoCode(
                        "Broken promise",
                        "Something promised is not done.",
                    ),
                ),
            ),
        ),
    ),
)
REPAIR = DemoCode(
    "Repair",
    "How a strain is talked about and mended.",
    children=(
        DemoCode(
            "Owning a mistake",
            "The case manager names their own mistake without excuses.",
        ),
        DemoCode(
            "Talking it through",
            "Client and case manager talk about the strain itself and agree what to do.",
        ),
    ),
)


@dataclass(frozen=True)
class Interview:
    case: str
    gender: str
    programme: str
    title: str
    filename: str
    # (code, quote) for each coder: the researcher (A) and the analyst (B).
    researcher: tuple[tuple[str, str], ...]
    analyst: tuple[tuple[str, str], ...]


INTERVIEWS = (
    Interview(
        case="P01",
        gender="Woman",
        programme="Strengths Case Management",
        title="P01: painting again",
        filename="p01-painting.txt",
        researcher=(
            ("Client sets the agenda", "asked what I wanted my life to look like in a year"),
            ("Client sets the agenda", "She wrote it down in my words, not hers."),
            ("Listening without judgement", "She listens without judging."),
            ("Going along", "she came with me to that appointment"),
            (
                "Broken promise",
                "She had promised to call me on a Friday about the housing application and she "
                "did not.",
            ),
            (
                "Owning a mistake",
                "She said straight away that she had forgotten to call and that it was her "
                "mistake. She did not make excuses.",
            ),
            (
                "Forms and benefits",
                "She helped me order a copy of my birth certificate and we filled in the forms "
                "at the library",
            ),
            ("Feeling rushed", "When she has a lot of people she can look at her watch"),
            (
                "Remembering what matters",
                "if we have not talked about the painting in a while she will ask about it",
            ),
        ),
        analyst=(
            (
                "Client sets the agenda",
                "asked what I wanted my life to look like in a year. Nobody had asked me that "
                "before.",
            ),
            (
                "Listening without judgement",
                "She listens without judging. I told her once that I had stopped taking my "
                "pills for two weeks, and I was waiting for the lecture.",
            ),
            ("Going along", "she came with me to that appointment"),
            (
                "Broken promise",
                "She had promised to call me on a Friday about the housing application and she "
                "did not.",
            ),
            (
                "Owning a mistake",
                "She said straight away that she had forgotten to call and that it was her "
                "mistake.",
            ),
            ("Talking it through", "We talked about what to do if it happens again."),
            (
                "Small steps",
                "we filled in the forms at the library, a few pages each visit, so it was not "
                "overwhelming.",
            ),
            ("Feeling rushed", "When she has a lot of people she can look at her watch"),
            (
                "Remembering what matters",
                "if we have not talked about the painting in a while she will ask about it",
            ),
        ),
    ),
    Interview(
        case="P02",
        gender="Man",
        programme="Strengths Case Management",
        title="P02: back to the warehouse",
        filename="p02-warehouse.txt",
        researcher=(
            (
                "Staff turnover",
                "she left the agency, and then there was a gap of almost a month where nobody "
                "called",
            ),
            ("Staff turnover", "If someone leaves, somebody should call."),
            (
                "Reliability",
                "He was on time, every time. If he said he would find out about the bus pass, "
                "the next week he had the answer.",
            ),
            ("Client sets the agenda", "I say which one matters most right now"),
            ("Going along", "he drove me to the first interview"),
            (
                "Honesty about limits",
                "He said that was not something he could do for me, but he could help me get "
                "ready for that conversation.",
            ),
            ("Talking it through", "He did not get defensive."),
            ("Honesty about limits", "He said he could not promise to stay forever"),
            ("Feeling rushed", "Sometimes the office feels rushed"),
        ),
        analyst=(
            (
                "Staff turnover",
                "she left the agency, and then there was a gap of almost a month where nobody "
                "called",
            ),
            ("Reliability", "He was on time, every time."),
            ("Client sets the agenda", "He will say what he thinks, but it is my call."),
            ("Small steps", "we made a plan for the parts that were hard for me, like mornings"),
            ("Honesty about limits", "He said that was not something he could do for me"),
            ("Talking it through", "We practised what I would say."),
            (
                "Honesty about limits",
                "He said he could not promise to stay forever, but he promised that if he ever "
                "moved on he would tell me himself",
            ),
            ("Listening without judgement", "he would rather hear it from me when I was ready"),
        ),
    ),
    Interview(
        case="P03",
        gender="Woman",
        programme="Short-Term Case Management",
        title="P03: twelve weeks",
        filename="p03-twelve-weeks.txt",
        researcher=(
            ("Client sets the agenda", "she asked me what was keeping me awake at night"),
            ("Forms and benefits", "She called the office with me on speakerphone."),
            ("Remembering what matters", "She remembered things."),
            ("Feeling rushed", "some days it felt like the forms were more important than me"),
            ("Talking it through", "She said she was glad I told her"),
            (
                "Going along",
                "she came with me to meet the peer support worker at the drop-in",
            ),
            ("Small steps", "Small steps. If I tried to do everything at once I would freeze."),
            ("Honesty about limits", "She never promised me an apartment."),
        ),
        analyst=(
            (
                "Client sets the agenda",
                "she asked me what was keeping me awake at night and I said having nowhere to live",
            ),
            ("Forms and benefits", "She called the office with me on speakerphone."),
            (
                "Remembering what matters",
                "If I mentioned my cat, the next time she asked how the cat was doing.",
            ),
            ("Feeling rushed", "Every meeting there was a form"),
            (
                "Talking it through",
                "She called the same afternoon. Not angry, just checking I was all right.",
            ),
            ("Small steps", "she would suggest something small, like one phone call"),
            ("Honesty about limits", "She was honest about what she could and could not do."),
            ("Reliability", "And she did not give up."),
        ),
    ),
)


def transcript(filename: str) -> str:
    """The text of one invented transcript."""
    source = resources.files("tandem.qualitative").joinpath(f"demo_transcripts/{filename}")
    return source.read_text(encoding="utf-8").strip()


def _add_codes(
    lead: User, project: Project, codes: tuple[DemoCode, ...], parent: Code | None, colour: str
) -> dict[str, Code]:
    found: dict[str, Code] = {}
    for item in codes:
        shade = COLOURS.get(item.name, colour)
        code = codebook_services.add_code(
            actor=lead,
            project=project,
            parent=parent,
            name=item.name,
            colour=shade,
            definition=item.definition,
            inclusion=item.inclusion,
            exclusion=item.exclusion,
        )
        found[item.name] = code
        found |= _add_codes(lead, project, item.children, code, shade)
    return found


def _code_quotes(
    coder: User, document: Document, codes: dict[str, Code], quotes: tuple[tuple[str, str], ...]
) -> None:
    for name, quote in quotes:
        start = document.text.find(quote)
        if start < 0:
            raise ValueError(f"demo quote not in {document.title!r}: {quote!r}")
        coding_services.add_coding(
            actor=coder, document=document, code=codes[name], start=start, end=start + len(quote)
        )


def _reconcile(lead: User, analyst: User, document: Document, codes: dict[str, Code]) -> None:
    """Consensus on every difference: both coders' stretch where both coded, the one coder's
    stretch elsewhere, and neither for the repair talk only the analyst saw."""
    for code in codes.values():
        for difference in differences(document, code, Coder(lead), Coder(analyst)):
            if code.name == "Talking it through":
                coding_services.reconcile_neither(
                    actor=lead,
                    document=document,
                    code=code,
                    start=difference.start,
                    end=difference.end,
                )
                continue
            if difference.spans_a and difference.spans_b:
                stretches = [(difference.start, difference.end)]
            else:
                stretches = difference.spans_a or difference.spans_b
            coding_services.reconcile(actor=lead, document=document, code=code, stretches=stretches)


def load_qualitative_demo(*, agency: Agency, lead: User, analyst: User) -> Project:
    """The demo study, led by ``lead`` (a researcher) with ``analyst`` as second coder."""
    project = project_services.create_project(
        actor=lead,
        agency=agency,
        title=PROJECT_TITLE,
        description=(
            "Three invented interviews with clients about what helps, and what strains, their "
            "working relationship with their case manager. Demo data: no real person."
        ),
    )
    project_services.add_member(actor=lead, project=project, user=analyst, role=ProjectRole.CODER)
    gender = case_services.define_attribute(
        actor=lead, project=project, name="Gender", value_type=AttributeType.TEXT
    )
    programme = case_services.define_attribute(
        actor=lead, project=project, name="Programme", value_type=AttributeType.TEXT
    )
    codes = _add_codes(lead, project, CODEBOOK, None, "#4477aa")
    codebook_services.save_codebook_version(
        actor=lead, project=project, label="Draft codebook, before the first round"
    )
    codes |= _add_codes(
        lead, project, (REPAIR,), codes["Strains and repair"], COLOURS["Strains and repair"]
    )
    memo_services.write_memo(
        actor=lead,
        project=project,
        title="Why a repair theme",
        body=(
            "Reading the first transcripts, the strains were rarely the end of the story: "
            "what people described was how the strain was talked about afterwards. Added the "
            "Repair theme under Strains and repair, after the draft codebook was saved."
        ),
        subject=codes["Repair"],
    )
    memo_services.write_memo(
        actor=lead,
        project=project,
        title="Analysis plan",
        body=(
            "Two coders code every transcript independently; we compare per code, talk "
            "through the differences and record the consensus. Cases carry gender and "
            "programme so the cross-case matrix can set the short-term programme beside the "
            "strengths programme."
        ),
    )
    cases = {}
    documents = []
    for interview in INTERVIEWS:
        case = case_services.create_case(
            actor=lead,
            project=project,
            name=interview.case,
            values={gender.pk: interview.gender, programme.pk: interview.programme},
        )
        cases[interview.case] = case
        document = document_services.import_text(
            actor=lead,
            project=project,
            title=interview.title,
            text=transcript(interview.filename),
            case=case,
        )
        documents.append(document)
        _code_quotes(lead, document, codes, interview.researcher)
        _code_quotes(analyst, document, codes, interview.analyst)
    _reconcile(lead, analyst, documents[0], codes)
    memo_services.write_memo(
        actor=analyst,
        project=project,
        title="Endings in a time-limited programme",
        body=(
            "P03 frames the end of the twelve weeks as a strain of its own, softened by "
            "hearing about it early and meeting the next people before leaving."
        ),
        subject=documents[2],
    )

    def link(token: str) -> str:
        return reverse("qualitative:member_check_answer", args=[token])

    answered = check_services.share_summary(
        actor=lead,
        case=cases["P01"],
        summary=(
            "What helped most was being asked what you wanted, having it written in your "
            "words, and how your case manager owned the missed call and agreed with you what "
            "to do next time."
        ),
        language="en",
        build_url=link,
    )
    check_services.record_answer(
        check=answered.check,
        agrees=True,
        comment="Yes, that is right. The painting studio is still going.",
    )
    check_services.share_summary(
        actor=lead,
        case=cases["P02"],
        summary=(
            "The month without a case manager nearly made you leave; what rebuilt trust was "
            "reliability in small things and being left to make your own call."
        ),
        language="en",
        build_url=link,
    )
    return project
