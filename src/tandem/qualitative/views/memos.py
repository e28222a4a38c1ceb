"""Memos: the project's list, writing one about the project or a code, document or case."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.models import User
from tandem.core.access import user_of
from tandem.core.form_tokens import form_token_required
from tandem.qualitative import selectors
from tandem.qualitative.forms import ArchiveForm, MemoEditForm, MemoForm
from tandem.qualitative.models import Case, Code, Document, ProjectRole
from tandem.qualitative.selectors import ProjectAccess
from tandem.qualitative.services import memos as services
from tandem.qualitative.views.common import member_access, save_correction

SUBJECTS = ("code", "document", "case")


@require_GET
def memo_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every memo of the project, newest first, with what it is about."""
    user = user_of(request)
    access = member_access(user, pk)
    return render(
        request,
        "qualitative/memo_list.html",
        {
            "access": access,
            "project": access.project,
            "memos": selectors.memos_of(access).order_by("is_archived", "-created_at", "-pk"),
        },
    )


def _subject(
    user: User, access: ProjectAccess, request: HttpRequest
) -> Code | Document | Case | None:
    """The code, document or case named in the query (``?code=3``), read through the selectors."""
    for name in SUBJECTS:
        raw = request.GET.get(name)
        if raw is None:
            continue
        pk = int(raw) if raw.isdigit() else 0
        if name == "code":
            return selectors.get_code_for(user, access, pk)
        if name == "document":
            return selectors.get_document_for(user, access, pk)
        return selectors.get_case_for(user, access, pk)
    return None


def _subject_url(pk: int, subject: Code | Document | Case | None) -> str:
    if isinstance(subject, Code):
        return reverse("qualitative:code_detail", args=[pk, subject.pk])
    if isinstance(subject, Document):
        return reverse("qualitative:document_detail", args=[pk, subject.pk])
    if isinstance(subject, Case):
        return reverse("qualitative:case_detail", args=[pk, subject.pk])
    return reverse("qualitative:memo_list", args=[pk])


@require_http_methods(["GET", "POST"])
@form_token_required
def memo_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a memo about the project, or a code, document or case (leads and coders)."""
    user = user_of(request)
    access = member_access(user, pk, ProjectRole.LEAD, ProjectRole.CODER)
    subject = _subject(user, access, request)
    form = MemoForm(request.POST or None)
    heading = (
        _("Write a memo about %(subject)s") % {"subject": subject}
        if subject is not None
        else _("Write a memo about the project")
    )
    return save_correction(
        request,
        form,
        lambda data: services.write_memo(
            actor=user, project=access.project, subject=subject, **data
        ),
        None,
        success=_("Memo saved."),
        next_url=_subject_url(pk, subject),
        context={
            "access": access,
            "project": access.project,
            "heading": heading,
            "submit": _("Save the memo"),
            "cancel_url": _subject_url(pk, subject),
        },
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def memo_edit(request: HttpRequest, pk: int, memo_pk: int) -> HttpResponse:
    """Correct a memo, or archive or restore it, with a reason (its author, or a lead)."""
    user = user_of(request)
    access = member_access(user, pk, ProjectRole.LEAD, ProjectRole.CODER)
    memo = selectors.get_memo_for(user, access, memo_pk)
    if not access.is_lead and memo.author_id != user.pk:
        selectors.require_project_role(user, access, ProjectRole.LEAD)
        raise PermissionDenied
    action = request.POST.get("action", "edit")
    edit = MemoEditForm(
        request.POST if action == "edit" else None,
        initial={"version": memo.version, "title": memo.title, "body": memo.body},
    )
    archive = ArchiveForm(
        request.POST if action == "archive" else None, initial={"version": memo.version}
    )

    def save(data: dict[str, Any]) -> object:
        if action == "archive":
            return services.set_memo_archived(
                actor=user,
                memo=memo,
                expected_version=data["version"],
                archived=not memo.is_archived,
                reason=data["reason"],
            )
        return services.update_memo(
            actor=user,
            memo=memo,
            expected_version=data["version"],
            reason=data["reason"],
            title=data["title"],
            body=data["body"],
        )

    return save_correction(
        request,
        archive if action == "archive" else edit,
        save,
        lambda: selectors.stored_version(memo),
        success=_("Saved. The former text is in the project's history."),
        next_url=_subject_url(pk, memo.subject),
        template="qualitative/record_edit.html",
        context={
            "access": access,
            "project": access.project,
            "edit": edit,
            "archive": archive,
            "is_archived": memo.is_archived,
            "heading": _("Correct the memo %(title)s") % {"title": memo.title},
            "cancel_url": _subject_url(pk, memo.subject),
        },
    )
