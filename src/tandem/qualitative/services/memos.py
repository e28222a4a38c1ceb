"""Memos on the project, a code, a document or a case."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tandem.accounts.models import User
from tandem.qualitative.models import Case, ChangeKind, Code, Document, Memo, Project, ProjectRole
from tandem.qualitative.services.common import (
    audit_created,
    claim_version,
    correct,
    refuse_if_archived,
    require_project_role,
    require_reason,
)


def write_memo(
    *,
    actor: User,
    project: Project,
    title: str,
    body: str,
    subject: Code | Document | Case | None = None,
) -> Memo:
    """Write a memo about the project or one of its codes, documents or cases (leads, coders)."""
    require_project_role(actor, project, ProjectRole.LEAD, ProjectRole.CODER)
    refuse_if_archived(project)
    memo = Memo(project=project, title=title.strip(), body=body, author=actor)
    if isinstance(subject, Code):
        memo.code = subject
    elif isinstance(subject, Document):
        memo.document = subject
    elif isinstance(subject, Case):
        memo.case = subject
    memo.full_clean()
    with transaction.atomic():
        memo.save()
        audit_created(actor, project, memo)
    return memo


def _require_author_or_lead(actor: User, memo: Memo) -> None:
    role = require_project_role(actor, memo.project, ProjectRole.LEAD, ProjectRole.CODER)
    if role != ProjectRole.LEAD and memo.author_id != actor.pk:
        raise PermissionDenied


def update_memo(
    *, actor: User, memo: Memo, expected_version: int, reason: str, title: str, body: str
) -> Memo:
    """Correct a memo (its author, or a lead), with the reason and the former text kept."""
    _require_author_or_lead(actor, memo)
    refuse_if_archived(memo.project)
    require_reason(reason)
    with transaction.atomic():
        current = claim_version(Memo, memo.pk, expected_version)
        return correct(
            actor=actor,
            project=memo.project,
            obj=current,
            fields={"title": title.strip(), "body": body},
            reason=reason,
        )


def set_memo_archived(
    *, actor: User, memo: Memo, expected_version: int, archived: bool, reason: str
) -> Memo:
    """Archive a memo or restore it (its author, or a lead), with a reason."""
    _require_author_or_lead(actor, memo)
    refuse_if_archived(memo.project)
    require_reason(reason)
    with transaction.atomic():
        current = claim_version(Memo, memo.pk, expected_version)
        return correct(
            actor=actor,
            project=memo.project,
            obj=current,
            fields={"is_archived": archived},
            reason=reason,
            kind=ChangeKind.VOID if archived else ChangeKind.RESTORE,
        )
