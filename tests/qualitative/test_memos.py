"""Memos on the project and on codes, documents and cases; corrections keep the former text."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tandem.audit.models import Action, AuditEvent
from tandem.qualitative.models import Memo, ProjectChange
from tandem.qualitative.services import memos as services
from tests.conftest import LoginAs, World
from tests.qualitative.factories import ProjectSet


@pytest.mark.parametrize("subject", ["code", "document", "case", ""])
def test_a_coder_writes_a_memo_about_any_subject(
    world: World, qual: ProjectSet, login_as: LoginAs, subject: str
) -> None:
    query = f"?{subject}={getattr(qual, subject).pk}" if subject else ""
    response = login_as(world.trainer).post(
        reverse("qualitative:memo_new", args=[qual.project.pk]) + query,
        {"title": "A thought", "body": "Listening comes first."},
    )
    assert response.status_code == 302
    memo = Memo.objects.get(title="A thought")
    assert memo.author == world.trainer
    assert memo.subject == (getattr(qual, subject) if subject else None)
    assert AuditEvent.objects.filter(
        actor_id=world.trainer.pk, action=Action.CREATE, object_type="qualitative.memo"
    ).exists()


def test_a_viewer_cannot_write_a_memo(world: World, qual: ProjectSet) -> None:
    with pytest.raises(PermissionDenied):
        services.write_memo(actor=world.assessor, project=qual.project, title="T", body="B")


def test_a_correction_keeps_the_former_text_and_the_reason(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    memo = qual.memo
    response = login_as(world.trainer).post(
        reverse("qualitative:memo_edit", args=[qual.project.pk, memo.pk]),
        {
            "action": "edit",
            "version": str(memo.version),
            "title": memo.title,
            "body": "Listening matters most.",
            "reason": "After the second interview",
        },
    )
    assert response.status_code == 302
    change = ProjectChange.objects.get(object_type="qualitative.memo", object_id=memo.pk)
    assert change.reason == "After the second interview"
    assert change.changes == [
        {"field": "body", "before": "Listening matters.", "after": "Listening matters most."}
    ]


def test_only_the_author_or_a_lead_corrects_a_memo(world: World, qual: ProjectSet) -> None:
    mine = services.write_memo(actor=world.researcher, project=qual.project, title="L", body="B")
    with pytest.raises(PermissionDenied):
        services.update_memo(
            actor=world.trainer,
            memo=mine,
            expected_version=mine.version,
            reason="r",
            title="L",
            body="Changed",
        )
    services.update_memo(
        actor=world.researcher,
        memo=qual.memo,
        expected_version=qual.memo.version,
        reason="Lead tidies up",
        title="First thoughts",
        body="Changed by the lead",
    )


def test_an_archived_memo_stays_listed_as_archived(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    services.set_memo_archived(
        actor=world.trainer,
        memo=qual.memo,
        expected_version=qual.memo.version,
        archived=True,
        reason="Superseded",
    )
    html = (
        login_as(world.assessor)
        .get(reverse("qualitative:memo_list", args=[qual.project.pk]))
        .content.decode()
    )
    assert "First thoughts" in html
    assert "Archived" in html


def test_the_memo_list_has_a_bounded_number_of_queries(
    world: World, qual: ProjectSet, login_as: LoginAs, django_assert_max_num_queries: object
) -> None:
    for n in range(10):
        services.write_memo(
            actor=world.trainer,
            project=qual.project,
            title=f"Memo {n}",
            body="B",
            subject=[qual.code, qual.document, qual.case, None][n % 4],
        )
    http = login_as(world.assessor)
    with django_assert_max_num_queries(15):  # type: ignore[operator]  # pytest-django fixture
        response = http.get(reverse("qualitative:memo_list", args=[qual.project.pk]))
    assert "Memo 9" in response.content.decode()
