"""The codebook: codes in a tree, moved, reordered, merged, archived, and saved as versions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.qualitative.models import (
    ChangeKind,
    Code,
    CodebookVersion,
    Coding,
    Project,
    ProjectRole,
)
from tandem.qualitative.services.common import (
    audit_created,
    claim_version,
    correct,
    record_project_change,
    refuse_if_archived,
    require_project_role,
    require_reason,
)

CODE_FIELDS = ("name", "colour", "definition", "inclusion", "exclusion", "example")


def _next_position(project: Project, parent: Code | None) -> int:
    last = project.codes.filter(parent=parent).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _check_parent(project: Project, parent: Code | None) -> None:
    if parent is None:
        return
    if parent.project_id != project.pk:
        raise ValidationError({"parent": _("This code belongs to another project.")})
    if parent.is_archived:
        raise ValidationError({"parent": _("This code is archived: choose another.")})


def add_code(
    *, actor: User, project: Project, parent: Code | None = None, name: str, **fields: Any
) -> Code:
    """Add a code at the end of its parent's children (leads)."""
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    _check_parent(project, parent)
    unknown = set(fields) - set(CODE_FIELDS)
    if unknown:
        raise TypeError(f"fields: not code fields: {', '.join(sorted(unknown))}")
    code = Code(
        project=project,
        parent=parent,
        name=name.strip(),
        position=_next_position(project, parent),
        created_by=actor,
        **fields,
    )
    code.full_clean()
    with transaction.atomic():
        code.save()
        audit_created(actor, project, code)
    return code


def update_code(
    *,
    actor: User,
    code: Code,
    expected_version: int,
    reason: str,
    parent: Code | None,
    **fields: Any,
) -> Code:
    """Correct a code's wording or colour, or move it under another parent (leads).

    A moved code goes to the end of its new siblings.
    """
    project = code.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    require_reason(reason)
    _check_parent(project, parent)
    unknown = set(fields) - set(CODE_FIELDS)
    if unknown:
        raise TypeError(f"fields: not code fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = claim_version(Code, code.pk, expected_version)
        if current.is_archived:
            raise ValidationError(_("This code is archived: restore it before changing it."))
        moved = (parent.pk if parent else None) != current.parent_id
        values: dict[str, Any] = {**fields, "parent": parent}
        if moved:
            values["position"] = _next_position(project, parent)
        return correct(
            actor=actor,
            project=project,
            obj=current,
            fields=values,
            reason=reason,
            kind=ChangeKind.MOVE if moved else ChangeKind.EDIT,
        )


def move_code_step(*, actor: User, code: Code, direction: str) -> Code:
    """Swap the code with its previous (``"up"``) or next (``"down"``) sibling (leads).

    At either end of its siblings nothing moves. A reorder is audited but asks no reason:
    it changes the order shown, not what any code means.
    """
    project = code.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    if direction not in {"up", "down"}:
        raise ValidationError({"direction": _("Move a code up or down.")})
    with transaction.atomic():
        siblings = list(
            project.codes.select_for_update()
            .filter(parent_id=code.parent_id, is_archived=False)
            .order_by("position", "pk")
        )
        index = next((i for i, c in enumerate(siblings) if c.pk == code.pk), None)
        if index is None:
            raise ValidationError(_("This code is archived: restore it before moving it."))
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            return code
        siblings[index], siblings[other] = siblings[other], siblings[index]
        # Positions are renumbered 0, 1, 2...: equal positions left by earlier edits cannot
        # make a swap a no-op.
        for position, sibling in enumerate(siblings):
            if sibling.position != position:
                Code.objects.filter(pk=sibling.pk).update(position=position)
        record_event(actor=actor, action=Action.UPDATE, obj=code, agency_id=project.agency_id)
    return Code.objects.get(pk=code.pk)


def set_code_archived(
    *, actor: User, code: Code, expected_version: int, archived: bool, reason: str
) -> Code:
    """Archive a code without active subcodes (its codings stay), or restore it (leads)."""
    project = code.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    require_reason(reason)
    with transaction.atomic():
        current = claim_version(Code, code.pk, expected_version)
        if archived and current.children.filter(is_archived=False).exists():
            raise ValidationError(_("Move or archive this code's subcodes first."))
        if not archived and current.merged_into_id is not None:
            raise ValidationError(_("A merged code cannot be restored: its codings moved."))
        if not archived and current.parent is not None and current.parent.is_archived:
            raise ValidationError(_("Its parent code is archived: restore the parent first."))
        return correct(
            actor=actor,
            project=project,
            obj=current,
            fields={"is_archived": archived},
            reason=reason,
            kind=ChangeKind.VOID if archived else ChangeKind.RESTORE,
        )


def merge_codes(*, actor: User, source: Code, target: Code, reason: str) -> Code:
    """Merge ``source`` into ``target`` (leads): codings, subcodes and memos move to the target.

    A coding the target already has (same document, stretch and coder, imported coders told
    apart, consensus apart from the lead's own) is not doubled: the
    source's copy is removed. The source stays, archived, pointing at the target.
    """
    project = source.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    require_reason(reason)
    if target.project_id != project.pk:
        raise ValidationError({"target": _("This code belongs to another project.")})
    if target.pk == source.pk:
        raise ValidationError({"target": _("Choose another code to merge into.")})
    if target.is_archived or source.is_archived:
        raise ValidationError({"target": _("Archived codes cannot be merged.")})
    node: Code | None = target
    while node is not None:
        if node.pk == source.pk:
            raise ValidationError(
                {"target": _("A code cannot be merged into one of its own subcodes.")}
            )
        node = node.parent
    with transaction.atomic():
        current = Code.objects.select_for_update().get(pk=source.pk)
        fields = ("document_id", "start", "end", "coder_id", "coder_label", "is_consensus")
        existing = set(Coding.objects.filter(code=target, is_voided=False).values_list(*fields))
        duplicates = [
            pk
            for pk, *key in Coding.objects.filter(code=current, is_voided=False).values_list(
                "pk", *fields
            )
            if tuple(key) in existing
        ]
        removed = Coding.objects.filter(pk__in=duplicates).delete()[0]
        moved = Coding.objects.filter(code=current).update(code=target)
        next_position = _next_position(project, target)
        for offset, child in enumerate(current.children.order_by("position", "pk")):
            Code.objects.filter(pk=child.pk).update(parent=target, position=next_position + offset)
        current.memos.update(code=target)
        current.is_archived = True
        current.merged_into = target
        current.version += 1
        current.save(update_fields=["is_archived", "merged_into", "version"])
        record_project_change(
            actor=actor,
            project=project,
            obj=current,
            kind=ChangeKind.MERGE,
            changes=[
                {"field": "merged_into", "before": None, "after": target.name},
                {"field": "codings_moved", "before": None, "after": moved},
                {"field": "duplicate_codings_removed", "before": None, "after": removed},
            ],
            reason=reason,
        )
        record_event(actor=actor, action=Action.UPDATE, obj=target, agency_id=project.agency_id)
    return target


def codebook_snapshot(project: Project) -> list[dict[str, Any]]:
    """The active codes as a version keeps them (id, name, parent id, position)."""
    return [
        {"id": pk, "name": name, "parent_id": parent_id, "position": position}
        for pk, name, parent_id, position in project.codes.filter(is_archived=False)
        .order_by("position", "pk")
        .values_list("pk", "name", "parent_id", "position")
    ]


def save_codebook_version(*, actor: User, project: Project, label: str) -> CodebookVersion:
    """Keep the codebook as it stands now under a label, to compare with later (leads)."""
    require_project_role(actor, project, ProjectRole.LEAD)
    version = CodebookVersion(
        project=project, label=label.strip(), codes=codebook_snapshot(project), created_by=actor
    )
    version.full_clean()
    with transaction.atomic():
        version.save()
        audit_created(actor, project, version)
    return version
