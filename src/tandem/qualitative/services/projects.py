"""Projects and their members."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, User
from tandem.orgs.models import Agency
from tandem.qualitative.models import ChangeKind, Project, ProjectMember, ProjectRole
from tandem.qualitative.selectors import CREATOR_ROLES
from tandem.qualitative.services.common import (
    audit_created,
    claim_version,
    correct,
    record_project_change,
    refuse_if_archived,
    require_project_role,
    require_reason,
)


def create_project(*, actor: User, agency: Agency, title: str, description: str = "") -> Project:
    """Start a project in the agency; its creator is its first lead."""
    if not Membership.objects.filter(user=actor, agency=agency, role__in=CREATOR_ROLES).exists():
        raise PermissionDenied
    return _start_project(actor, agency, title, description)


def create_linked_project(
    *, actor: User, agency: Agency, title: str, description: str = ""
) -> Project:
    """Start a project that another module opens for its own work (a training cohort's
    interviews), after checking the actor's right to it there. The actor must work in the
    agency, whatever their role in it, and becomes the project's first lead."""
    if not actor.is_active or not Membership.objects.filter(user=actor, agency=agency).exists():
        raise PermissionDenied
    return _start_project(actor, agency, title, description)


def _start_project(actor: User, agency: Agency, title: str, description: str) -> Project:
    project = Project(agency=agency, title=title.strip(), description=description, created_by=actor)
    project.full_clean()
    with transaction.atomic():
        project.save()
        lead = ProjectMember.objects.create(project=project, user=actor, role=ProjectRole.LEAD)
        audit_created(actor, project, project)
        audit_created(actor, project, lead)
    return project


def update_project(
    *,
    actor: User,
    project: Project,
    expected_version: int,
    reason: str,
    title: str,
    description: str,
) -> Project:
    """Correct the title or description (leads), with the reason kept in the history."""
    require_project_role(actor, project, ProjectRole.LEAD)
    require_reason(reason)
    with transaction.atomic():
        current = claim_version(Project, project.pk, expected_version)
        refuse_if_archived(current)
        return correct(
            actor=actor,
            project=current,
            obj=current,
            fields={"title": title.strip(), "description": description},
            reason=reason,
        )


def set_project_archived(
    *, actor: User, project: Project, expected_version: int, archived: bool, reason: str
) -> Project:
    """Archive the project (read-only from then on) or restore it, with a reason (leads)."""
    require_project_role(actor, project, ProjectRole.LEAD)
    require_reason(reason)
    with transaction.atomic():
        current = claim_version(Project, project.pk, expected_version)
        return correct(
            actor=actor,
            project=current,
            obj=current,
            fields={"is_archived": archived},
            reason=reason,
            kind=ChangeKind.VOID if archived else ChangeKind.RESTORE,
        )


def add_member(*, actor: User, project: Project, user: User, role: str) -> ProjectMember:
    """Give a person of the project's agency a role in it (leads); a former member comes back."""
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    if role not in ProjectRole.values:
        raise ValidationError({"role": _("Choose lead, coder or viewer.")})
    if (
        not user.is_active
        or not Membership.objects.filter(user=user, agency_id=project.agency_id).exists()
    ):
        raise ValidationError({"user": _("This person does not work in the project's agency.")})
    with transaction.atomic():
        member = (
            ProjectMember.objects.select_for_update().filter(project=project, user=user).first()
        )
        if member is not None and member.is_active:
            raise ValidationError({"user": _("This person is already a member.")})
        if member is None:
            member = ProjectMember.objects.create(project=project, user=user, role=role)
            audit_created(actor, project, member)
        else:
            before = member.role
            member.is_active = True
            member.role = role
            member.version += 1
            member.save(update_fields=["is_active", "role", "version"])
            record_project_change(
                actor=actor,
                project=project,
                obj=member,
                kind=ChangeKind.RESTORE,
                changes=[
                    {"field": "is_active", "before": False, "after": True},
                    {"field": "role", "before": before, "after": role},
                ],
                reason=_("Added to the project again."),
            )
    return member


def _keep_a_lead(project: Project, leaving: ProjectMember) -> None:
    others = project.members.filter(role=ProjectRole.LEAD, is_active=True).exclude(pk=leaving.pk)
    if not others.exists():
        raise ValidationError({"role": _("A project keeps at least one lead.")})


def change_member(
    *,
    actor: User,
    member: ProjectMember,
    expected_version: int,
    role: str,
    is_active: bool,
    reason: str,
) -> ProjectMember:
    """Change a member's role, or remove them (kept, inactive), with a reason (leads)."""
    project = member.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    require_reason(reason)
    if role not in ProjectRole.values:
        raise ValidationError({"role": _("Choose lead, coder or viewer.")})
    with transaction.atomic():
        current = claim_version(ProjectMember, member.pk, expected_version)
        if current.role == ProjectRole.LEAD and (role != ProjectRole.LEAD or not is_active):
            _keep_a_lead(project, current)
        return correct(
            actor=actor,
            project=project,
            obj=current,
            fields={"role": role, "is_active": is_active},
            reason=reason,
            kind=ChangeKind.EDIT if is_active else ChangeKind.VOID,
        )
