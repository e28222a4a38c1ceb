"""Qualitative projects for tests: a project with its members and one of each record."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.orgs.models import Agency
from tandem.qualitative.models import (
    AttributeDefinition,
    AttributeType,
    Case,
    Code,
    CodebookVersion,
    Document,
    DocumentSource,
    MemberCheck,
    Memo,
    Project,
    ProjectMember,
    ProjectRole,
)
from tests.factories import MembershipFactory, UserFactory


def agency_person(agency: Agency, role: Role = Role.RESEARCHER) -> User:
    """Someone working in the agency (a membership there), outside the test world's roles."""
    user = UserFactory.create(agency=agency)
    MembershipFactory.create(user=user, role=role, agency=agency)
    return user


@dataclass
class ProjectSet:
    project: Project
    lead: User
    member: ProjectMember
    attribute: AttributeDefinition
    case: Case
    document: Document
    code: Code
    other_code: Code
    memo: Memo
    version: CodebookVersion


def project_with(
    agency: Agency,
    *,
    lead: User | None = None,
    members: dict[User, str] | None = None,
    memo_author: User | None = None,
    title: str = "Alliance interviews",
) -> ProjectSet:
    """A project with a lead, more members, and one attribute, case, document, two codes,
    a memo and a codebook version."""
    lead = lead or agency_person(agency)
    project = Project.objects.create(agency=agency, title=title, created_by=lead)
    lead_row = ProjectMember.objects.create(project=project, user=lead, role=ProjectRole.LEAD)
    for user, role in (members or {}).items():
        ProjectMember.objects.create(project=project, user=user, role=role)
    attribute = AttributeDefinition.objects.create(
        project=project, name="Gender", value_type=AttributeType.TEXT
    )
    case = Case.objects.create(project=project, name="P01", created_by=lead)
    document = Document.objects.create(
        project=project,
        title="Interview 1",
        case=case,
        text="What helped?\nBeing listened to.",
        source=DocumentSource.PASTED,
        created_by=lead,
    )
    code = Code.objects.create(project=project, name="Being heard", created_by=lead)
    other_code = Code.objects.create(project=project, name="Trust", created_by=lead, position=1)
    memo = Memo.objects.create(
        project=project,
        title="First thoughts",
        body="Listening matters.",
        author=memo_author or lead,
    )
    version = CodebookVersion.objects.create(
        project=project,
        label="First draft",
        codes=[{"id": code.pk, "name": code.name, "parent_id": None, "position": 0}],
        created_by=lead,
    )
    return ProjectSet(
        project=project,
        lead=lead,
        member=lead_row,
        attribute=attribute,
        case=case,
        document=document,
        code=code,
        other_code=other_code,
        memo=memo,
        version=version,
    )


def open_member_check(found: ProjectSet) -> MemberCheck:
    """A member check on the set's case, not yet answered (its token is not kept)."""
    now = timezone.now()
    return MemberCheck.objects.create(
        project=found.project,
        case=found.case,
        summary="What you said about being heard.",
        token_hash=secrets.token_hex(32),
        created_by=found.lead,
        created_at=now,
        expires_at=now + timedelta(days=14),
    )
