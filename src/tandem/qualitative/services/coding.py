"""Coding a document, removing a coding, and reconciling two coders into a consensus."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.qualitative.models import (
    ChangeKind,
    Code,
    Coding,
    Document,
    ProjectChange,
    ProjectRole,
)
from tandem.qualitative.services.common import (
    audit_created,
    record_project_change,
    refuse_if_archived,
    require_project_role,
    require_reason,
)

CODERS = (ProjectRole.LEAD, ProjectRole.CODER)
NEITHER = "neither"
# What an undone reconciliation to consensus codings had recorded, in the history.
CODED = "coded"


def check_offsets(document: Document, start: int, end: int) -> None:
    """Refuse a stretch that is empty or reaches outside the document's text, naming the field."""
    if start < 0 or start >= document.char_count:
        raise ValidationError(
            {
                "start": _("The selection starts outside the text (0 to %(last)s).")
                % {"last": document.char_count - 1}
            }
        )
    if end > document.char_count:
        raise ValidationError(
            {
                "end": _("The selection ends outside the text (at most %(count)s).")
                % {"count": document.char_count}
            }
        )
    if end <= start:
        raise ValidationError({"end": _("The selection must end after it starts.")})


def _check_code(document: Document, code: Code) -> None:
    if code.project_id != document.project_id:
        raise ValidationError({"code": _("This code belongs to another project.")})
    if code.is_archived:
        raise ValidationError({"code": _("This code is archived: choose another.")})


def add_coding(*, actor: User, document: Document, code: Code, start: int, end: int) -> Coding:
    """Code the stretch ``[start, end)`` of the document with ``code``, as the actor's own."""
    require_project_role(actor, document.project, *CODERS)
    refuse_if_archived(document.project)
    if document.is_archived:
        raise ValidationError(_("This document is archived: restore it before coding it."))
    _check_code(document, code)
    check_offsets(document, start, end)
    coding = Coding(document=document, code=code, start=start, end=end, coder=actor)
    coding.full_clean()
    with transaction.atomic():
        coding.save()
        audit_created(actor, document.project, coding)
    return coding


def add_codings(
    *, actor: User, document: Document, codes: list[Code], start: int, end: int
) -> list[Coding]:
    """Code the stretch ``[start, end)`` with each of ``codes`` at once: one coding per code, each
    audited, all or none."""
    if not codes:
        raise ValidationError({"code": _("Choose at least one code.")})
    with transaction.atomic():
        return [
            add_coding(actor=actor, document=document, code=code, start=start, end=end)
            for code in codes
        ]


def remove_coding(*, actor: User, coding: Coding, reason: str) -> Coding:
    """Remove one of the actor's own codings (a lead may remove a consensus coding; the codings
    of a file's coders are theirs, not the importing person's), with a reason; the coding is
    kept, voided, and the change is in the project's history."""
    project = coding.document.project
    role = require_project_role(actor, project, *CODERS)
    own = coding.coder_key == (actor.pk, "") and not coding.is_consensus
    if not own and not (coding.is_consensus and role == ProjectRole.LEAD):
        raise PermissionDenied
    refuse_if_archived(project)
    require_reason(reason)
    with transaction.atomic():
        _void(actor=actor, coding=coding, reason=reason)
    return coding


def _void(*, actor: User, coding: Coding, reason: str) -> None:
    """Void one coding, kept, with the reason in the project's history (audited), in the
    caller's transaction; refuse one already removed."""
    voided = Coding.objects.filter(pk=coding.pk, is_voided=False).update(is_voided=True)
    if voided == 0:
        raise ValidationError(_("This coding was already removed."))
    coding.refresh_from_db()
    record_project_change(
        actor=actor,
        project=coding.document.project,
        obj=coding,
        kind=ChangeKind.VOID,
        changes=[{"field": "is_voided", "before": False, "after": True}],
        reason=reason,
    )


def reconcile(
    *,
    actor: User,
    document: Document,
    code: Code,
    stretches: list[tuple[int, int]],
) -> list[Coding]:
    """Record the agreed coding of ``stretches`` of the document with ``code`` (leads).

    Each stretch becomes one consensus coding; a stretch already coded by consensus with the
    same code is not coded twice. Choosing neither coder's stretch is ``reconcile_neither``.
    """
    require_project_role(actor, document.project, ProjectRole.LEAD)
    refuse_if_archived(document.project)
    _check_code(document, code)
    for start, end in stretches:
        check_offsets(document, start, end)
    created = []
    with transaction.atomic():
        for start, end in stretches:
            exists = Coding.objects.filter(
                document=document,
                code=code,
                start=start,
                end=end,
                is_consensus=True,
                is_voided=False,
            ).exists()
            if exists:
                continue
            coding = Coding(
                document=document,
                code=code,
                start=start,
                end=end,
                coder=actor,
                is_consensus=True,
            )
            coding.full_clean()
            coding.save()
            audit_created(actor, document.project, coding)
            created.append(coding)
    return created


def reconcile_neither(
    *, actor: User, document: Document, code: Code, start: int, end: int
) -> ProjectChange:
    """Record that neither coder's coding of ``[start, end)`` with ``code`` is kept (leads): no
    consensus coding, one entry in the project's history (audited) naming the stretch."""
    require_project_role(actor, document.project, ProjectRole.LEAD)
    refuse_if_archived(document.project)
    _check_code(document, code)
    check_offsets(document, start, end)
    with transaction.atomic():
        return record_project_change(
            actor=actor,
            project=document.project,
            obj=document,
            kind=ChangeKind.RECONCILE,
            changes=[
                {
                    "field": "consensus",
                    "before": None,
                    "after": NEITHER,
                    "code": code.pk,
                    "start": start,
                    "end": end,
                }
            ],
            reason=_(
                "Neither coder's coding of %(code)s, characters %(start)s to %(end)s, is kept."
            )
            % {"code": code.name, "start": start, "end": end},
        )


def undo_reconciliation(
    *, actor: User, document: Document, code: Code, start: int, end: int, reason: str
) -> ProjectChange:
    """Undo the reconciliation of ``[start, end)`` with ``code``, whatever its outcome (leads),
    with a reason.

    The consensus codings of the code overlapping the stretch (A's, B's or both) are removed,
    kept voided, each in the project's history; a "neither" outcome overlapping it is withdrawn.
    The coders' own codings were never changed by reconciling, so they stand as they were and
    the stretch is open to reconciling again. One entry on the document, in the history and
    audited, names the stretch, what was undone and the reason.
    """
    require_project_role(actor, document.project, ProjectRole.LEAD)
    refuse_if_archived(document.project)
    require_reason(reason)
    check_offsets(document, start, end)
    with transaction.atomic():
        # Lock the document so two leads undoing at once do not both record the undo.
        Document.objects.select_for_update().filter(pk=document.pk).first()
        consensus = list(
            Coding.objects.filter(
                document=document,
                code=code,
                is_consensus=True,
                is_voided=False,
                start__lt=end,
                end__gt=start,
            ).order_by("start", "pk")
        )
        neither = [(s, e) for s, e in neither_stretches(document, code) if s < end and e > start]
        if not consensus and not neither:
            raise ValidationError(_("This stretch is not reconciled: there is nothing to undo."))
        for coding in consensus:
            _void(actor=actor, coding=coding, reason=reason)
        changes: list[dict[str, object]] = [
            {
                "field": "consensus",
                "before": CODED,
                "after": None,
                "code": code.pk,
                "start": coding.start,
                "end": coding.end,
                "coding": coding.pk,
            }
            for coding in consensus
        ]
        changes += [
            {
                "field": "consensus",
                "before": NEITHER,
                "after": None,
                "code": code.pk,
                "start": s,
                "end": e,
            }
            for s, e in neither
        ]
        return record_project_change(
            actor=actor,
            project=document.project,
            obj=document,
            kind=ChangeKind.RECONCILE,
            changes=changes,
            reason=reason,
        )


def neither_stretches(document: Document, code: Code) -> list[tuple[int, int]]:
    """The stretches of the document reconciled to neither coder's coding of ``code``, less
    those whose reconciliation was undone since."""
    found: list[tuple[int, int]] = []
    for change in ProjectChange.objects.filter(
        project_id=document.project_id,
        object_type=Document._meta.label_lower,
        object_id=document.pk,
        kind=ChangeKind.RECONCILE,
    ).order_by("changed_at", "pk"):
        for item in change.changes:
            if item.get("code") != code.pk:
                continue
            stretch = (int(item["start"]), int(item["end"]))
            if item.get("after") == NEITHER:
                found.append(stretch)
            elif item.get("before") == NEITHER and stretch in found:
                found.remove(stretch)
    return found
