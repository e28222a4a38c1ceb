"""Case attributes (typed, per project) and the cases that carry their values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.qualitative.models import (
    AttributeDefinition,
    AttributeType,
    Case,
    CaseValue,
    ChangeKind,
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
    stored_value,
)

AttributeValue = str | int | float | bool | date | None


def value_field_name(attribute: AttributeDefinition) -> str:
    """The name under which forms and services carry this attribute's value."""
    return f"attribute_{attribute.pk}"


def checked_value(attribute: AttributeDefinition, value: Any) -> AttributeValue:
    """``value`` if it is of the attribute's type (None or "" for no value); else a
    ``ValidationError`` naming the attribute."""
    if value is None or value == "":
        return None
    kind = attribute.value_type
    fits = {
        AttributeType.TEXT: isinstance(value, str),
        AttributeType.INTEGER: isinstance(value, int) and not isinstance(value, bool),
        AttributeType.FLOAT: isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value),
        AttributeType.BOOLEAN: isinstance(value, bool),
        AttributeType.DATE: isinstance(value, date),
    }[AttributeType(kind)]
    if not fits:
        raise ValidationError(
            {
                value_field_name(attribute): _("%(attribute)s takes a value of type: %(type)s.")
                % {"attribute": attribute.name, "type": attribute.get_value_type_display()}
            }
        )
    return float(value) if kind == AttributeType.FLOAT else value


def define_attribute(
    *, actor: User, project: Project, name: str, value_type: str, description: str = ""
) -> AttributeDefinition:
    """Add an attribute that the project's cases may carry (leads)."""
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    if project.attributes.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("The project already has an attribute of this name.")})
    last = project.attributes.aggregate(last=Max("position"))["last"]
    attribute = AttributeDefinition(
        project=project,
        name=name.strip(),
        value_type=value_type,
        description=description,
        position=0 if last is None else last + 1,
    )
    attribute.full_clean()
    with transaction.atomic():
        attribute.save()
        audit_created(actor, project, attribute)
    return attribute


def update_attribute(
    *,
    actor: User,
    attribute: AttributeDefinition,
    expected_version: int,
    reason: str,
    name: str,
    value_type: str,
    description: str,
    is_archived: bool = False,
) -> AttributeDefinition:
    """Correct or archive an attribute; its type changes only while no case has a value."""
    project = attribute.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    require_reason(reason)
    with transaction.atomic():
        current = claim_version(AttributeDefinition, attribute.pk, expected_version)
        if value_type != current.value_type and current.values.exists():
            raise ValidationError(
                {"value_type": _("Cases already have values of this attribute: keep its type.")}
            )
        if project.attributes.filter(name__iexact=name.strip()).exclude(pk=current.pk).exists():
            raise ValidationError({"name": _("The project already has an attribute of this name.")})
        return correct(
            actor=actor,
            project=project,
            obj=current,
            fields={
                "name": name.strip(),
                "value_type": value_type,
                "description": description,
                "is_archived": is_archived,
            },
            reason=reason,
            kind=ChangeKind.VOID if is_archived and not attribute.is_archived else ChangeKind.EDIT,
        )


def _checked_values(
    project: Project, values: Mapping[int, Any]
) -> dict[AttributeDefinition, AttributeValue]:
    attributes = {a.pk: a for a in project.attributes.filter(is_archived=False)}
    unknown = set(values) - set(attributes)
    if unknown:
        raise ValidationError(_("Unknown attributes for this project: %s") % sorted(unknown))
    errors: dict[str, list[str]] = {}
    checked: dict[AttributeDefinition, AttributeValue] = {}
    for pk, value in values.items():
        try:
            checked[attributes[pk]] = checked_value(attributes[pk], value)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return checked


def _store_values(case: Case, values: Mapping[AttributeDefinition, AttributeValue]) -> None:
    for attribute, value in values.items():
        stored = CaseValue.objects.filter(case=case, attribute=attribute).first()
        if value is None:
            if stored is not None:
                stored.delete()
            continue
        stored = stored or CaseValue(case=case, attribute=attribute)
        stored.set_value(value)
        stored.full_clean()
        stored.save()


def create_case(
    *,
    actor: User,
    project: Project,
    name: str,
    description: str = "",
    values: Mapping[int, Any] | None = None,
) -> Case:
    """Add a case with its attribute values, keyed by attribute id and already typed (leads)."""
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    checked = _checked_values(project, values or {})
    if project.cases.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("The project already has a case of this name.")})
    case = Case(project=project, name=name.strip(), description=description, created_by=actor)
    case.full_clean()
    with transaction.atomic():
        case.save()
        _store_values(case, checked)
        audit_created(actor, project, case)
    return case


def update_case(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    reason: str,
    name: str,
    description: str,
    values: Mapping[int, Any],
) -> Case:
    """Correct a case's name, description or attribute values, with a reason (leads)."""
    project = case.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    require_reason(reason)
    checked = _checked_values(project, values)
    with transaction.atomic():
        current = claim_version(Case, case.pk, expected_version)
        if project.cases.filter(name__iexact=name.strip()).exclude(pk=current.pk).exists():
            raise ValidationError({"name": _("The project already has a case of this name.")})
        stored = {v.attribute_id: v.value for v in current.values.select_related("attribute")}
        changes = [
            {
                "field": attribute.name,
                "before": stored_value(stored.get(attribute.pk)),
                "after": stored_value(value),
            }
            for attribute, value in checked.items()
            if stored.get(attribute.pk) != value
        ]
        before = {"name": current.name, "description": current.description}
        current.name = name.strip()
        current.description = description
        current.full_clean()
        changes = [
            {"field": field, "before": before[field], "after": getattr(current, field)}
            for field in before
            if before[field] != getattr(current, field)
        ] + changes
        if not changes:
            raise ValidationError(_("Nothing was changed."))
        current.save()
        _store_values(current, checked)
        record_project_change(
            actor=actor,
            project=project,
            obj=current,
            kind=ChangeKind.EDIT,
            changes=changes,
            reason=reason,
        )
    return current


def set_case_archived(
    *, actor: User, case: Case, expected_version: int, archived: bool, reason: str
) -> Case:
    """Archive a case (its documents stay, still linked) or restore it, with a reason (leads)."""
    project = case.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    require_reason(reason)
    with transaction.atomic():
        current = claim_version(Case, case.pk, expected_version)
        return correct(
            actor=actor,
            project=project,
            obj=current,
            fields={"is_archived": archived},
            reason=reason,
            kind=ChangeKind.VOID if archived else ChangeKind.RESTORE,
        )
