"""The project timeline: the audit events of this project's records only, with who and when."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.audit.models import Action, AuditEvent
from tandem.audit.services import record_event
from tandem.qualitative import selectors
from tandem.qualitative.models import Coding, ProjectRole
from tandem.qualitative.selectors import ProjectAccess
from tandem.qualitative.services import codebook, member_checks, memos
from tests.conftest import LoginAs, World
from tests.qualitative.factories import ProjectSet, project_with


def _coding(qual: ProjectSet, world: World) -> Coding:
    coding = Coding.objects.create(
        document=qual.document, code=qual.code, start=0, end=4, coder=world.trainer
    )
    record_event(
        actor=world.trainer, action=Action.CREATE, obj=coding, agency_id=qual.project.agency_id
    )
    return coding


def test_the_timeline_holds_this_projects_changes_and_nothing_else(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    lead = world.researcher
    other = project_with(world.agency, lead=lead, title="Other study")
    code = codebook.add_code(actor=lead, project=qual.project, name="Hope")
    memo = memos.write_memo(actor=world.trainer, project=qual.project, title="T", body="B")
    coding = _coding(qual, world)
    issued = member_checks.share_summary(
        actor=lead, case=qual.case, summary="S", language="en", build_url=lambda t: t
    )
    member_checks.record_answer(check=issued.check, agrees=True, comment="")
    elsewhere = codebook.add_code(actor=lead, project=other.project, name="Elsewhere")
    http = login_as(lead)
    export = http.get(
        reverse("qualitative:co_occurrence", args=[qual.project.pk]), {"export": "csv"}
    )
    assert export.status_code == 200
    access = ProjectAccess(project=qual.project, role=ProjectRole.LEAD)
    events = list(selectors.timeline_of(lead, access))
    seen = {(e.object_type, e.object_id, e.action) for e in events}
    wanted = {
        ("qualitative.code", str(code.pk), Action.CREATE),
        ("qualitative.memo", str(memo.pk), Action.CREATE),
        ("qualitative.coding", str(coding.pk), Action.CREATE),
        ("qualitative.membercheck", str(issued.check.pk), Action.CREATE),
        ("qualitative.membercheck", str(issued.check.pk), Action.UPDATE),
        ("qualitative.project", str(qual.project.pk), Action.EXPORT),
    }
    assert wanted <= seen
    # Nothing of the other project, and no reads.
    assert ("qualitative.code", str(elsewhere.pk), Action.CREATE) not in seen
    assert all(e.action in selectors.TIMELINE_ACTIONS for e in events)
    hand = [
        e
        for e in AuditEvent.objects.filter(agency_id=qual.project.agency_id)
        if (e.object_type, e.object_id, e.action) in wanted
    ]
    assert len([e for e in events if (e.object_type, e.object_id, e.action) in wanted]) == len(hand)
    # Newest first, with who did it.
    assert [e.seq for e in events] == sorted((e.seq for e in events), reverse=True)
    entries = selectors.timeline_entries(events)
    by_memo = next(x for x in entries if x.event.object_type == "qualitative.memo")
    assert by_memo.actor == world.trainer
    answer = next(
        x
        for x in entries
        if x.event.object_type == "qualitative.membercheck" and x.event.action == Action.UPDATE
    )
    assert answer.actor is None
    page = http.get(reverse("qualitative:project_timeline", args=[qual.project.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert str(world.trainer) in text
    assert "The participant, on their link" in text


def test_the_timeline_reads_in_one_query_however_long(world: World, qual: ProjectSet) -> None:
    access = ProjectAccess(project=qual.project, role=ProjectRole.LEAD)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.timeline_entries(selectors.timeline_of(world.researcher, access))
        return len(captured)

    _coding(qual, world)
    few = count()
    for _n in range(15):
        _coding(qual, world)
    codebook.add_code(actor=world.researcher, project=qual.project, name="More")
    assert count() == few


def test_a_coder_may_not_open_the_timeline(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    url = reverse("qualitative:project_timeline", args=[qual.project.pk])
    assert login_as(world.trainer).get(url).status_code == 403
