"""REFI-QDA exchange of whole projects (``.qdpx``) and codebooks (``.qdc``), audited.

Export builds the pure ``exchange`` dataclasses from a project's live records (archived codes,
cases, documents and memos are left out) and lets the writer validate them against the
schemas. Import reads the file as hostile input, then creates every record of a new project
in one transaction: any problem, in the file or in a record Tandem would refuse, is listed
with its element and line, and nothing is saved.

Coders. REFI names the coder of each coding by a ``User`` of the file, and those people are
usually not Tandem users. A file user whose name is the importing person's full name
becomes that person; every other file user is kept by name in ``Coding.coder_label`` (the
importing person is then ``Coding.coder``), so that the codings of two imported coders stay
apart and their agreement can be computed. A coding whose file names no coder (Taguette
records none) is the importing person's. Export writes each Tandem coder, and each imported
coder by name, as one ``User``; the consensus codings of reconciliation as one more ``User``
named ``Consensus``. Removed codings are not exported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from tandem.accounts.models import Membership, User
from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.orgs.models import Agency
from tandem.qualitative import exchange as refi
from tandem.qualitative.exchange.xmlio import canonical_guid, derived_guid
from tandem.qualitative.models import (
    AttributeDefinition,
    AttributeType,
    Case,
    CaseValue,
    Code,
    Coding,
    Document,
    DocumentSource,
    Memo,
    Project,
    ProjectMember,
    ProjectRole,
)
from tandem.qualitative.selectors import CREATOR_ROLES
from tandem.qualitative.services.common import refuse_if_archived, require_project_role

__all__ = [
    "CodebookImport",
    "export_codebook",
    "export_project",
    "import_codebook",
    "import_project",
    "project_counts",
]

ORIGIN = "Tandem"
# What an import reads at most (uncompressed bytes, zip entries): a zip bomb stops here.
READ_LIMITS = refi.ReadLimits()
DEFAULT_COLOUR = "#4477aa"

_TO_REFI = {
    AttributeType.TEXT: refi.VariableType.TEXT,
    AttributeType.INTEGER: refi.VariableType.INTEGER,
    AttributeType.FLOAT: refi.VariableType.FLOAT,
    AttributeType.BOOLEAN: refi.VariableType.BOOLEAN,
    AttributeType.DATE: refi.VariableType.DATE,
}
# A DateTime variable becomes a date attribute: Tandem's attributes have no time of day.
_FROM_REFI = {
    refi.VariableType.TEXT: AttributeType.TEXT,
    refi.VariableType.INTEGER: AttributeType.INTEGER,
    refi.VariableType.FLOAT: AttributeType.FLOAT,
    refi.VariableType.BOOLEAN: AttributeType.BOOLEAN,
    refi.VariableType.DATE: AttributeType.DATE,
    refi.VariableType.DATETIME: AttributeType.DATE,
}


@dataclass(frozen=True)
class CodebookImport:
    """What a codebook import did: codes created, and codes already there by name and place."""

    created: int
    existing: int


# ---------------------------------------------------------------------------------------------
# Export


CONSENSUS_CODER = "Consensus"


def _guid(project: Project, kind: str, key: object) -> str:
    return derived_guid("tandem", str(project.pk), kind, str(key))


def _require_member(user: User, project: Project) -> None:
    require_project_role(user, project, *ProjectRole.values)


def _live_codes(project: Project) -> list[Code]:
    """The project's codes whose every ancestor is live too, parents before children."""
    codes = list(project.codes.filter(is_archived=False).order_by("position", "pk"))
    by_parent: dict[int | None, list[Code]] = {}
    for code in codes:
        by_parent.setdefault(code.parent_id, []).append(code)
    ordered: list[Code] = []
    pending = list(by_parent.get(None, []))
    while pending:
        code = pending.pop(0)
        ordered.append(code)
        pending[:0] = by_parent.get(code.pk, [])
    return ordered


def _code_tree(project: Project, codes: list[Code]) -> tuple[refi.Code, ...]:
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)

    def node(code: Code) -> refi.Code:
        return refi.Code(
            guid=_guid(project, "code", code.pk),
            name=code.name,
            color=code.colour.upper(),
            description=code.definition,
            children=tuple(node(child) for child in children.get(code.pk, [])),
        )

    return tuple(node(code) for code in children.get(None, []))


def _audit_export(user: User | None, project: Project, kind: str) -> None:
    record_event(
        actor=user,
        action=Action.EXPORT,
        object_type=f"qualitative.project.{kind}",
        object_id=str(project.pk),
        agency_id=project.agency_id,
    )


def exchange_project(project: Project) -> refi.Project:
    """The project as REFI-QDA dataclasses (live records only); no access check, no audit."""
    codes = _live_codes(project)
    code_guid = {code.pk: _guid(project, "code", code.pk) for code in codes}
    documents = list(project.documents.filter(is_archived=False).select_related("created_by"))
    codings = list(
        Coding.objects.filter(document__in=documents, code_id__in=code_guid, is_voided=False)
        .select_related("coder")
        .order_by("document_id", "start", "end", "pk")
    )
    users: dict[str, refi.User] = {}

    def user_guid(person: User, label: str = "") -> str:
        key = f"label:{label}" if label else f"user:{person.pk}"
        guid = _guid(project, "user", key)
        users.setdefault(guid, refi.User(guid=guid, name=label or person.full_name))
        return guid

    by_document: dict[int, list[refi.Coding]] = {}
    for coding in codings:
        by_document.setdefault(coding.document_id, []).append(
            refi.Coding(
                guid=_guid(project, "coding", coding.pk),
                code_guid=code_guid[coding.code_id],
                start=coding.start,
                end=coding.end,
                creating_user_guid=user_guid(
                    coding.coder, CONSENSUS_CODER if coding.is_consensus else coding.coder_label
                ),
                created_at=coding.created_at,
            )
        )
    sources = tuple(
        refi.Source(
            guid=_guid(project, "document", document.pk),
            name=document.title,
            text=document.text,
            creating_user_guid=user_guid(document.created_by),
            created_at=document.created_at,
            codings=tuple(by_document.get(document.pk, [])),
        )
        for document in documents
    )
    attributes = list(project.attributes.filter(is_archived=False))
    variables = tuple(
        refi.Variable(
            guid=_guid(project, "attribute", attribute.pk),
            name=attribute.name,
            type=_TO_REFI[AttributeType(attribute.value_type)],
            description=attribute.description,
        )
        for attribute in attributes
    )
    live_attributes = {attribute.pk for attribute in attributes}
    cases = []
    for case in project.cases.filter(is_archived=False).prefetch_related("values__attribute"):
        values = tuple(
            refi.VariableValue(_guid(project, "attribute", value.attribute_id), value.value)
            for value in case.values.all()
            if value.attribute_id in live_attributes and value.value not in (None, "")
        )
        cases.append(
            refi.Case(
                guid=_guid(project, "case", case.pk),
                name=case.name,
                description=case.description,
                values=values,
                source_guids=tuple(
                    _guid(project, "document", document.pk)
                    for document in documents
                    if document.case_id == case.pk
                ),
            )
        )
    known = {s.guid for s in sources} | {case.guid for case in cases} | set(code_guid.values())
    notes = []
    for memo in project.memos.filter(is_archived=False).select_related("author"):
        target = ""
        if memo.code_id is not None and memo.code_id in code_guid:
            target = code_guid[memo.code_id]
        elif memo.document_id is not None:
            target = _guid(project, "document", memo.document_id)
        elif memo.case_id is not None:
            target = _guid(project, "case", memo.case_id)
        if target and target not in known:
            continue
        notes.append(
            refi.Note(
                guid=_guid(project, "memo", memo.pk),
                name=memo.title,
                text=memo.body,
                targets=frozenset({target} if target else set()),
                about_project=not target,
                creating_user_guid=user_guid(memo.author),
                created_at=memo.created_at,
            )
        )
    return refi.Project(
        name=project.title,
        origin=ORIGIN,
        description=project.description,
        creating_user_guid=user_guid(project.created_by),
        created_at=project.created_at,
        modified_at=project.updated_at,
        users=tuple(users.values()),
        codes=_code_tree(project, codes),
        variables=variables,
        cases=tuple(cases),
        sources=sources,
        notes=tuple(notes),
    )


def export_project(*, user: User | None, project: Project) -> bytes:
    """The project as a ``.qdpx`` file (any member), audited as an export.

    ``user`` None is the command line, run by whoever operates the installation.
    """
    if user is not None:
        _require_member(user, project)
    data = refi.write_qdpx(exchange_project(project))
    _audit_export(user, project, "qdpx")
    return data


def export_codebook(*, user: User, project: Project) -> bytes:
    """The project's live codebook as a ``.qdc`` file (any member), audited as an export.

    Raises ``ExchangeError`` when the codebook is empty: a ``.qdc`` holds at least one code.
    """
    _require_member(user, project)
    data = refi.write_qdc(refi.Codebook(codes=_code_tree(project, _live_codes(project))))
    _audit_export(user, project, "qdc")
    return data


# ---------------------------------------------------------------------------------------------
# Import


def _problems_of(error: ValidationError, element: str) -> list[refi.Problem]:
    found = []
    for field, messages in error.message_dict.items():
        for message in messages:
            where = element if field == "__all__" else f"{element}, {field}"
            found.append(refi.Problem("record", where, str(message)))
    return found


class _Importer:
    """Creates a project's records from a read file; problems are gathered, not raised."""

    def __init__(self, user: User, project: Project, audit_actor: User | None) -> None:
        self.user = user
        self.project = project
        self.audit_actor = audit_actor
        self.problems: list[refi.Problem] = []
        self.reused = 0

    def save(self, obj: models.Model, element: str) -> bool:
        try:
            obj.full_clean()
        except ValidationError as error:
            self.problems += _problems_of(error, element)
            return False
        obj.save()
        record_event(
            actor=self.audit_actor,
            action=Action.CREATE,
            obj=obj,
            agency_id=self.project.agency_id,
        )
        return True

    def codes(
        self, nodes: Iterable[refi.Code], parent: Code | None, reuse: bool = False
    ) -> dict[str, Code]:
        """Create the tree under ``parent``; with ``reuse``, a live code of the same name at
        the same place is taken instead of a new one."""
        created: dict[str, Code] = {}
        last = self.project.codes.filter(parent=parent).aggregate(last=Max("position"))["last"]
        position = -1 if last is None else last
        for node in nodes:
            code = None
            if reuse:
                code = (
                    self.project.codes.filter(
                        parent=parent, name=node.name.strip(), is_archived=False
                    )
                    .order_by("pk")
                    .first()
                )
            if code is not None:
                self.reused += 1
            else:
                position += 1
                code = Code(
                    project=self.project,
                    parent=parent,
                    name=node.name.strip()[:200],
                    colour=(node.color or DEFAULT_COLOUR).lower(),
                    definition=node.description,
                    position=position,
                    created_by=self.user,
                )
                if not self.save(code, f"Code {node.name!r}"):
                    continue
            created[canonical_guid(node.guid) or node.guid] = code
            created |= self.codes(node.children, code, reuse)
        return created

    def attributes(self, variables: Iterable[refi.Variable]) -> dict[str, AttributeDefinition]:
        found: dict[str, AttributeDefinition] = {}
        for position, variable in enumerate(variables):
            attribute = AttributeDefinition(
                project=self.project,
                name=variable.name.strip()[:100],
                value_type=_FROM_REFI[variable.type],
                description=variable.description,
                position=position,
            )
            if self.save(attribute, f"Variable {variable.name!r}"):
                found[canonical_guid(variable.guid) or variable.guid] = attribute
        return found

    def cases(
        self, cases: Iterable[refi.Case], attributes: dict[str, AttributeDefinition]
    ) -> tuple[dict[str, Case], dict[str, Case]]:
        """The cases by GUID, and the case of each source GUID (its first case)."""
        by_guid: dict[str, Case] = {}
        of_source: dict[str, Case] = {}
        used: set[str] = set()
        for number, item in enumerate(cases, start=1):
            name = item.name.strip()[:100] or f"Case {number}"
            base, suffix = name, 2
            while name.casefold() in used:
                name, suffix = f"{base[:94]} ({suffix})", suffix + 1
            used.add(name.casefold())
            case = Case(
                project=self.project,
                name=name,
                description=item.description,
                created_by=self.user,
            )
            if not self.save(case, f"Case {item.name!r}"):
                continue
            by_guid[canonical_guid(item.guid) or item.guid] = case
            for source_guid in item.source_guids:
                of_source.setdefault(canonical_guid(source_guid) or source_guid, case)
            for value in item.values:
                attribute = attributes.get(canonical_guid(value.variable_guid) or "")
                if attribute is None:
                    continue
                scalar = value.value
                if isinstance(scalar, dt.datetime):
                    scalar = scalar.date()
                row = CaseValue(case=case, attribute=attribute)
                row.set_value(scalar)
                self.save(row, f"Case {item.name!r}, value of {attribute.name!r}")
        return by_guid, of_source

    def coder_of(self, users: dict[str, str], guid: str | None) -> tuple[User, str]:
        if guid is None:
            return self.user, ""
        name = users.get(canonical_guid(guid) or guid, "").strip()
        if name.casefold() == self.user.full_name.strip().casefold():
            return self.user, ""
        return self.user, (name or f"User {canonical_guid(guid) or guid}")[:200]

    def documents(
        self,
        sources: Iterable[refi.Source],
        of_source: dict[str, Case],
        codes: dict[str, Code],
        users: dict[str, str],
    ) -> tuple[dict[str, Document], dict[str, Document]]:
        """The documents by source GUID, and the document of each coding and selection GUID."""
        documents: dict[str, Document] = {}
        of_coding: dict[str, Document] = {}
        for source in sources:
            element = f"TextSource {source.name!r}"
            if not source.text.strip() and not source.codings:
                continue  # an empty text carries nothing to analyse
            guid = canonical_guid(source.guid) or source.guid
            document = Document(
                project=self.project,
                title=(source.name.strip() or guid)[:200],
                case=of_source.get(guid),
                text=source.text,
                source=DocumentSource.EXCHANGE,
                original_filename=f"{guid}.txt",
                created_by=self.user,
            )
            if not self.save(document, element):
                continue
            documents[guid] = document
            for item in source.codings:
                code = codes.get(canonical_guid(item.code_guid) or item.code_guid)
                if code is None:
                    continue  # its code was refused: that problem is listed already
                coder, label = self.coder_of(users, item.creating_user_guid)
                coding = Coding(
                    document=document,
                    code=code,
                    start=item.start,
                    end=item.end,
                    coder=coder,
                    coder_label=label,
                    created_at=item.created_at or timezone.now(),
                )
                if self.save(coding, f"Coding {item.guid!r} of {element}"):
                    for key in (item.guid, item.selection_guid):
                        if key:
                            of_coding[canonical_guid(key) or key] = document
        return documents, of_coding

    def memos(
        self,
        notes: Iterable[refi.Note],
        codes: dict[str, Code],
        documents: dict[str, Document],
        cases: dict[str, Case],
        of_coding: dict[str, Document],
    ) -> None:
        for note in notes:
            if not note.text.strip():
                continue
            subjects: list[dict[str, object]] = []
            for target in sorted(note.targets):
                key = canonical_guid(target) or target
                if key in codes:
                    subjects.append({"code": codes[key]})
                elif key in documents:
                    subjects.append({"document": documents[key]})
                elif key in cases:
                    subjects.append({"case": cases[key]})
                elif key in of_coding:
                    subjects.append({"document": of_coding[key]})
            if note.about_project or not subjects:
                subjects.insert(0, {})
            for subject in subjects:
                memo = Memo(
                    project=self.project,
                    title=(note.name.strip() or "Note")[:200],
                    body=note.text,
                    author=self.user,
                    **subject,  # one of code, document, case
                )
                self.save(memo, f"Note {note.name!r}")


def _refuse(actor: User | None, agency_id: int | None, kind: str) -> None:
    record_event(
        actor=actor,
        action=Action.CREATE,
        object_type=f"qualitative.import.{kind}",
        object_id="refused",
        agency_id=agency_id,
        outcome=Outcome.FAILED,
    )


def import_project(
    *,
    user: User,
    agency: Agency,
    data: bytes,
    name: str | None = None,
    from_command_line: bool = False,
) -> Project:
    """A new project of ``agency`` made from a ``.qdpx`` file; ``user`` becomes its lead.

    Only someone who may start projects in the agency may import one. All or nothing: raises
    ``ExchangeError`` listing every problem (of the file, or of a record Tandem refuses), and
    then nothing is saved. Audited: each created record, and a refusal. From the command
    line (``from_command_line``) the events have no actor, as the other commands' do.
    """
    actor = None if from_command_line else user
    if (
        not user.is_active
        or not Membership.objects.filter(user=user, agency=agency, role__in=CREATOR_ROLES).exists()
    ):
        raise PermissionDenied
    try:
        read = refi.read_qdpx(data, limits=READ_LIMITS)
        with transaction.atomic():
            return _create_project(user, agency, read, name, actor)
    except refi.ExchangeError:
        _refuse(actor, agency.pk, "qdpx")
        raise


def _create_project(
    user: User, agency: Agency, read: refi.Project, name: str | None, actor: User | None
) -> Project:
    title = (name or "").strip() or read.name.strip() or "REFI-QDA project"
    project = Project(
        agency=agency, title=title[:200], description=read.description, created_by=user
    )
    importer = _Importer(user, project, actor)
    if not importer.save(project, "Project"):
        raise refi.ExchangeError(importer.problems)
    importer.save(ProjectMember(project=project, user=user, role=ProjectRole.LEAD), "Project")
    codes = importer.codes(read.codes, None)
    attributes = importer.attributes(read.variables)
    cases, of_source = importer.cases(read.cases, attributes)
    users = {canonical_guid(u.guid) or u.guid: u.name for u in read.users}
    documents, of_coding = importer.documents(read.sources, of_source, codes, users)
    importer.memos(read.notes, codes, documents, cases, of_coding)
    if importer.problems:
        raise refi.ExchangeError(importer.problems)
    return project


def import_codebook(*, user: User, project: Project, data: bytes) -> CodebookImport:
    """Add a ``.qdc`` codebook's codes to the project (leads), all or nothing.

    A live code with the same name under the same parent is reused rather than duplicated,
    so importing the same codebook twice adds nothing. Raises ``ExchangeError`` listing every
    problem; each created code is audited, and so is a refusal.
    """
    require_project_role(user, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    try:
        codebook = refi.read_qdc(data, limits=READ_LIMITS)
        with transaction.atomic():
            importer = _Importer(user, project, user)
            created = importer.codes(codebook.codes, None, reuse=True)
            if importer.problems:
                raise refi.ExchangeError(importer.problems)
    except refi.ExchangeError:
        _refuse(user, project.agency_id, "qdc")
        raise
    return CodebookImport(created=len(created) - importer.reused, existing=importer.reused)


def project_counts(project: Project) -> dict[str, int]:
    """What an import summary reports: codes, sources, codings, cases, and coders as users."""
    codings = Coding.objects.filter(document__project=project)
    return {
        "codes": project.codes.count(),
        "sources": project.documents.count(),
        "codings": codings.count(),
        "cases": project.cases.count(),
        "users": codings.values("coder_id", "coder_label").distinct().count(),
    }
