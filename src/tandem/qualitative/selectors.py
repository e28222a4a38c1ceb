"""Reads of qualitative projects, narrowed to their members.

A project, and everything in it, exists only for its active members: anyone else gets the
audited 404 that a missing record gets. Every read of a document's text is audited here, as a
client's chart is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.access import scope_for
from tandem.accounts.models import Membership, Role, User
from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.audit.selectors import events_about
from tandem.audit.services import record_event
from tandem.core.access import deny_read
from tandem.measures.services import hash_token, record_refused_link_request
from tandem.orgs.models import Agency
from tandem.qualitative.models import (
    AttributeDefinition,
    Case,
    CaseValue,
    ChangeKind,
    Code,
    CodebookVersion,
    Document,
    MemberCheck,
    Memo,
    Project,
    ProjectChange,
    ProjectMember,
    ProjectRole,
)

# Who may start a project in their agency. Programme managers may too: they commission the
# evaluations of their programmes (focus groups, interviews). Starting a project gives access
# to nothing that exists already: what is in a project is reached only through its membership.
CREATOR_ROLES = (Role.AGENCY_ADMIN, Role.RESEARCHER, Role.PROGRAMME_MANAGER)
# What each project role may do beyond reading.
MANAGING = (ProjectRole.LEAD,)
WRITING_MEMOS = (ProjectRole.LEAD, ProjectRole.CODER)


@dataclass(frozen=True)
class ProjectAccess:
    """A project and the reader's role in it."""

    project: Project
    role: str

    @property
    def is_lead(self) -> bool:
        return self.role == ProjectRole.LEAD

    @property
    def may_write_memos(self) -> bool:
        return self.role in WRITING_MEMOS


def agencies_for_new_projects(user: User | AnonymousUser) -> QuerySet[Agency]:
    """Agencies where the user may start a project (see ``CREATOR_ROLES``)."""
    if not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    ids = Membership.objects.filter(user_id=user.pk, role__in=CREATOR_ROLES).values("agency_id")
    return Agency.objects.filter(pk__in=ids).order_by("name")


def may_create_projects(user: User | AnonymousUser) -> bool:
    return scope_for(user).has_role(*CREATOR_ROLES)


def projects_visible_to(user: User | AnonymousUser) -> QuerySet[Project]:
    """Projects where the user is an active member, inside an agency they belong to."""
    scope = scope_for(user)
    if not user.is_authenticated or not scope.agency_ids:
        return Project.objects.none()
    return Project.objects.filter(
        members__user_id=user.pk, members__is_active=True, agency_id__in=scope.agency_ids
    )


def is_member_of_any_project(user: User | AnonymousUser) -> bool:
    return projects_visible_to(user).exists()


def project_list_for(user: User) -> list[tuple[Project, str]]:
    """The user's projects with their role in each, in one query (audited as a list)."""
    record_event(
        actor=user, action=Action.LIST, object_type="qualitative.project", object_id="mine"
    )
    rows = (
        ProjectMember.objects.filter(
            user=user, is_active=True, project__in=projects_visible_to(user)
        )
        .select_related("project", "project__agency")
        .annotate(
            document_count=Count(
                "project__documents", filter=Q(project__documents__is_archived=False)
            )
        )
        .order_by("project__is_archived", "project__title", "project__pk")
    )
    found = []
    for row in rows:
        row.project.document_count = row.document_count  # type: ignore[attr-defined]  # shown in the list
        found.append((row.project, row.role))
    return found


def get_project_for(user: User, pk: int) -> ProjectAccess:
    """The project and the user's role in it (audited), or an audited 404 for non-members."""
    member = (
        ProjectMember.objects.filter(
            project__in=projects_visible_to(user), project_id=pk, user=user, is_active=True
        )
        .select_related("project", "project__agency")
        .first()
    )
    if member is None:
        deny_read(user, "qualitative.project", pk)
    project = member.project
    record_event(actor=user, action=Action.VIEW, obj=project, agency_id=project.agency_id)
    return ProjectAccess(project=project, role=member.role)


def require_project_role(user: User, access: ProjectAccess, *roles: str) -> None:
    """403 (audited) for a member whose project role does not allow the page."""
    if access.role not in roles:
        record_event(
            actor=user,
            action=Action.DENIED,
            obj=access.project,
            agency_id=access.project.agency_id,
            outcome=Outcome.DENIED,
        )
        raise PermissionDenied


def members_of(access: ProjectAccess) -> QuerySet[ProjectMember]:
    return access.project.members.select_related("user").order_by(
        "-is_active", "user__full_name", "pk"
    )


def get_member_for(user: User, access: ProjectAccess, pk: int) -> ProjectMember:
    member = members_of(access).filter(pk=pk).first()
    if member is None:
        deny_read(user, "qualitative.projectmember", pk)
    return member


def candidate_members(access: ProjectAccess) -> QuerySet[User]:
    """Active people of the project's agency who are not active members yet."""
    project = access.project
    in_agency = Membership.objects.filter(agency_id=project.agency_id).values("user_id")
    current = project.members.filter(is_active=True).values("user_id")
    return (
        User.objects.filter(is_active=True, pk__in=in_agency)
        .exclude(pk__in=current)
        .order_by("full_name", "pk")
    )


def project_counts(access: ProjectAccess) -> dict[str, int]:
    """How many current documents, cases, codes, memos and members the project has."""
    project = access.project
    return {
        "documents": project.documents.filter(is_archived=False).count(),
        "cases": project.cases.filter(is_archived=False).count(),
        "codes": project.codes.filter(is_archived=False).count(),
        "memos": project.memos.filter(is_archived=False).count(),
        "members": project.members.filter(is_active=True).count(),
    }


def stored_version(
    record: Project | ProjectMember | AttributeDefinition | Case | Document | Code | Memo,
) -> int:
    """The version of a record as stored now (after a concurrent save was refused)."""
    return int(
        type(record)._default_manager.filter(pk=record.pk).values_list("version", flat=True).get()
    )


# ---- cases and attributes -----------------------------------------------------------------------
def attributes_of(
    access: ProjectAccess, *, archived: bool = False
) -> QuerySet[AttributeDefinition]:
    found = access.project.attributes.order_by("position", "pk")
    return found if archived else found.filter(is_archived=False)


def get_attribute_for(user: User, access: ProjectAccess, pk: int) -> AttributeDefinition:
    attribute = access.project.attributes.filter(pk=pk).first()
    if attribute is None:
        deny_read(user, "qualitative.attributedefinition", pk)
    return attribute


def cases_of(user: User, access: ProjectAccess) -> QuerySet[Case]:
    """The project's cases with their values and document counts (audited as a list)."""
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="qualitative.case",
        object_id=f"project:{access.project.pk}",
        agency_id=access.project.agency_id,
    )
    return (
        access.project.cases.annotate(
            document_count=Count("documents", filter=Q(documents__is_archived=False))
        )
        .prefetch_related(
            Prefetch("values", queryset=CaseValue.objects.select_related("attribute"))
        )
        .order_by("is_archived", "name", "pk")
    )


def get_case_for(user: User, access: ProjectAccess, pk: int) -> Case:
    case = access.project.cases.filter(pk=pk).first()
    if case is None:
        deny_read(user, "qualitative.case", pk)
    record_event(actor=user, action=Action.VIEW, obj=case, agency_id=access.project.agency_id)
    return case


def active_cases_of(access: ProjectAccess) -> list[Case]:
    """The project's current cases by name, to link a document to one."""
    return list(access.project.cases.filter(is_archived=False).order_by("name", "pk"))


def documents_of_case(case: Case) -> QuerySet[Document]:
    """A case's documents (without their text), for a reader who was allowed the case."""
    return case.documents.defer("text").order_by("is_archived", "title", "pk")


def values_by_attribute(case: Case) -> dict[int, CaseValue]:
    return {value.attribute_id: value for value in case.values.select_related("attribute")}


# ---- documents ----------------------------------------------------------------------------------
def documents_of(user: User, access: ProjectAccess) -> QuerySet[Document]:
    """The project's documents without their text (audited as a list)."""
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="qualitative.document",
        object_id=f"project:{access.project.pk}",
        agency_id=access.project.agency_id,
    )
    return (
        access.project.documents.defer("text")
        .select_related("case", "created_by")
        .order_by("is_archived", "title", "pk")
    )


def get_document_for(user: User, access: ProjectAccess, pk: int) -> Document:
    """One document with its text: every read is audited, a document elsewhere is a 404."""
    document = access.project.documents.select_related("case", "created_by").filter(pk=pk).first()
    if document is None:
        deny_read(user, "qualitative.document", pk)
    record_event(actor=user, action=Action.VIEW, obj=document, agency_id=access.project.agency_id)
    return document


# ---- codebook -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CodeNode:
    code: Code
    depth: int
    is_first: bool
    is_last: bool
    coding_count: int


def codebook_tree(access: ProjectAccess, *, archived: bool = False) -> list[CodeNode]:
    """The codebook as an indented list in tree order (two queries, whatever its depth)."""
    codes = list(
        access.project.codes.filter(is_archived=archived)
        .annotate(n=Count("codings"))
        .order_by("position", "pk")
    )
    children: dict[int | None, list[Code]] = {}
    ids = {code.pk for code in codes}
    for code in codes:
        # An archived subtree's surviving member shows at the top rather than disappearing.
        parent = code.parent_id if code.parent_id in ids else None
        children.setdefault(parent, []).append(code)
    nodes: list[CodeNode] = []

    def walk(parent: int | None, depth: int) -> None:
        siblings = children.get(parent, [])
        for index, code in enumerate(siblings):
            nodes.append(
                CodeNode(
                    code=code,
                    depth=depth,
                    is_first=index == 0,
                    is_last=index == len(siblings) - 1,
                    coding_count=code.n,  # type: ignore[attr-defined]  # annotated above
                )
            )
            walk(code.pk, depth + 1)

    walk(None, 0)
    return nodes


def get_code_for(user: User, access: ProjectAccess, pk: int) -> Code:
    code = access.project.codes.select_related("parent", "merged_into").filter(pk=pk).first()
    if code is None:
        deny_read(user, "qualitative.code", pk)
    return code


def subcodes_of(code: Code) -> QuerySet[Code]:
    return code.children.filter(is_archived=False).order_by("position", "pk")


def coding_count(code: Code) -> int:
    return code.codings.count()


def codebook_versions_of(access: ProjectAccess) -> QuerySet[CodebookVersion]:
    return access.project.codebook_versions.select_related("created_by").order_by(
        "-created_at", "-pk"
    )


def get_codebook_version_for(user: User, access: ProjectAccess, pk: int) -> CodebookVersion:
    version = access.project.codebook_versions.filter(pk=pk).first()
    if version is None:
        deny_read(user, "qualitative.codebookversion", pk)
    return version


# ---- memos and history --------------------------------------------------------------------------
def memos_of(access: ProjectAccess) -> QuerySet[Memo]:
    return access.project.memos.select_related("author", "code", "document", "case").defer(
        "document__text"
    )


def get_memo_for(user: User, access: ProjectAccess, pk: int) -> Memo:
    memo = memos_of(access).filter(pk=pk).first()
    if memo is None:
        deny_read(user, "qualitative.memo", pk)
    return memo


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: object
    after: object


@dataclass(frozen=True)
class HistoryEntry:
    change: ProjectChange
    record: str
    fields: list[FieldChange]


# Facts a merge keeps that are not fields of the code.
_MERGE_LABELS = {
    "codings_moved": _("Codings moved"),
    "duplicate_codings_removed": _("Duplicate codings removed"),
    "consensus": _("Consensus"),
}
# What a reconciliation kept, as the history shows it (an undone one is shown as "—").
_CONSENSUS_VALUES = {
    "neither": _("Neither coder's coding"),
    "coded": _("Consensus coding"),
}


def _shown(field: Any, value: Any) -> Any:
    """A stored value as the page shows it: a choice's label, yes or no, a date as a date."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _consensus_shown(name: str, value: Any) -> Any:
    if name == "consensus" and isinstance(value, str):
        return _CONSENSUS_VALUES.get(value, value)
    return value


def _entry(change: ProjectChange) -> HistoryEntry:
    try:
        model = apps.get_model(change.object_type)
    except (LookupError, ValueError):
        model = None
    fields = []
    for item in change.changes:
        name = str(item.get("field", ""))
        try:
            field = model._meta.get_field(name) if model is not None else None
        except FieldDoesNotExist:
            field = None
        # A case's attribute values are kept under the attribute's own name.
        label = str(getattr(field, "verbose_name", _MERGE_LABELS.get(name, name)))
        fields.append(
            FieldChange(
                label=label[:1].upper() + label[1:],
                before=_consensus_shown(name, _shown(field, item.get("before"))),
                after=_consensus_shown(name, _shown(field, item.get("after"))),
            )
        )
    record = str(model._meta.verbose_name) if model is not None else change.object_type
    return HistoryEntry(change=change, record=record[:1].upper() + record[1:], fields=fields)


def history_of(user: User, access: ProjectAccess) -> list[HistoryEntry]:
    """Every correction, archiving, move and merge in the project, newest first (audited)."""
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="qualitative.projectchange",
        object_id=f"project:{access.project.pk}",
        agency_id=access.project.agency_id,
    )
    return [
        _entry(change)
        for change in access.project.changes.select_related("changed_by").order_by(
            "-changed_at", "-pk"
        )
    ]


# ---- member checking ----------------------------------------------------------------------------
def member_checks_of(user: User, access: ProjectAccess) -> QuerySet[MemberCheck]:
    """Who was asked to check their summary, and who answered (audited as a list)."""
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="qualitative.membercheck",
        object_id=f"project:{access.project.pk}",
        agency_id=access.project.agency_id,
    )
    withdrawn = ProjectChange.objects.filter(
        project=access.project,
        object_type=MemberCheck._meta.label_lower,
        object_id=OuterRef("pk"),
        kind=ChangeKind.VOID,
    )
    return (
        access.project.member_checks.select_related("case", "created_by")
        .annotate(withdrawn=Exists(withdrawn))
        .order_by("-created_at", "-pk")
    )


def get_member_check_for(user: User, access: ProjectAccess, check_pk: int) -> MemberCheck:
    """One member check of the project (404 outside it)."""
    check = access.project.member_checks.select_related("case").filter(pk=check_pk).first()
    if check is None:
        deny_read(user, "qualitative.membercheck", check_pk)
    record_event(actor=user, action=Action.VIEW, obj=check, agency_id=access.project.agency_id)
    return check


def usable_member_check_for_token(
    token: str, *, address: str, now: datetime | None = None
) -> MemberCheck | None:
    """The member check a token opens, if it is not answered or expired; else None.

    Anonymous, by the token's hash only, as the self-report links: a token that opens nothing
    is counted for ``address`` (the shared refusal counter, audited once per window); a closed
    link is audited as refused without naming anyone; an open one as a view by nobody.
    """
    now = now or timezone.now()
    check = (
        MemberCheck.objects.filter(token_hash=hash_token(token))
        .select_related("project", "case")
        .first()
    )
    if check is None:
        record_refused_link_request(address=address, throttled=False, now=now)
        return None
    if check.answered_at is not None or check.expires_at <= now or check.project.is_archived:
        record_event(
            actor=None,
            action=Action.VIEW,
            object_type="qualitative.membercheck",
            object_id=str(check.pk),
            outcome=Outcome.DENIED,
        )
        return None
    record_event(actor=None, action=Action.VIEW, obj=check, agency_id=check.project.agency_id)
    return check


def member_check_language_for_token(token: str) -> str | None:
    """The language a link was made in, answered or not (for its refusal page); else None."""
    language = (
        MemberCheck.objects.filter(token_hash=hash_token(token))
        .values_list("language", flat=True)
        .first()
    )
    return str(language) if language else None


# ---- the project's timeline ---------------------------------------------------------------------
# What the timeline shows: changes and exports, not reads.
TIMELINE_ACTIONS = (Action.CREATE, Action.UPDATE, Action.DELETE, Action.EXPORT)


@dataclass(frozen=True)
class TimelineEntry:
    event: AuditEvent
    actor: User | None
    record: str


def _project_paths() -> dict[str, str]:
    """Model label -> the lookup from the model to its project, for every qualitative model
    that belongs to a project (directly, or through its document, case or code)."""
    paths: dict[str, str] = {}
    for model in apps.get_app_config("qualitative").get_models():
        names = {f.name for f in model._meta.get_fields()}
        if model is Project:
            continue
        for path in ("project", "document__project", "case__project", "code__project"):
            if path.split("__")[0] in names:
                paths[model._meta.label_lower] = path
                break
    return paths


def timeline_of(user: User, access: ProjectAccess) -> QuerySet[AuditEvent]:
    """The audit events of the project's records: codebook changes, codings, memos, exports
    and the rest, newest first, in one query (audited as a list)."""
    project = access.project
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="audit.auditevent",
        object_id=f"qualitative.project:{project.pk}",
        agency_id=project.agency_id,
    )
    objects: dict[str, Any] = {"qualitative.project": [str(project.pk)]}
    for label, path in _project_paths().items():
        model = apps.get_model(label)
        objects[label] = (
            model._default_manager.filter(**{path: project})
            .annotate(text_pk=Cast("pk", CharField()))
            .values("text_pk")
        )
    return events_about(objects, agency_id=project.agency_id, actions=TIMELINE_ACTIONS)


def timeline_entries(events: Iterable[AuditEvent]) -> list[TimelineEntry]:
    """Events with their actors (one query) and the kind of record each is about."""
    events = list(events)
    actors = User.objects.in_bulk({e.actor_id for e in events if e.actor_id is not None})
    entries = []
    for event in events:
        try:
            name = str(apps.get_model(event.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            name = event.object_type
        entries.append(
            TimelineEntry(
                event=event,
                actor=actors.get(event.actor_id) if event.actor_id is not None else None,
                record=name[:1].upper() + name[1:],
            )
        )
    return entries
