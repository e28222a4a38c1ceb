"""Writes of fidelity scales: install the built-in structure, draft, edit, activate, new version.

A draft is edited freely by the agency administrator (any scale of the agency) or by the
programme manager of the scale's programme. An active scale is read-only; "new version" copies
it into a new draft, and activating that draft retires the version it replaces.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tandem.accounts.access import agency_ids_administered_by
from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.fidelity.models import FidelityDomain, FidelityItem, FidelityScale, ScaleStatus
from tandem.fidelity.scales import BuiltinScale, load_builtin_scale
from tandem.fidelity.selectors import can_draft_for, can_edit_scale
from tandem.orgs.models import Agency, Programme

Positioned = TypeVar("Positioned", FidelityDomain, FidelityItem)


class ScaleChangedError(Exception):
    """The draft was changed by someone else since the editor's form was drawn."""


def _require_editable(actor: User, scale: FidelityScale) -> None:
    if scale.status != ScaleStatus.DRAFT:
        raise ValidationError(_("This scale is in use and can no longer be changed."))
    if not can_edit_scale(actor, scale):
        raise PermissionDenied


def _claim(scale: FidelityScale, expected_revision: int | None) -> None:
    """Bump the draft's revision, inside the edit's transaction.

    With ``expected_revision`` (what the editor's form was drawn from) the edit goes through
    only if nobody changed the draft since; ``None`` is for callers with no form (the demo).
    """
    still = FidelityScale.objects.filter(pk=scale.pk, status=ScaleStatus.DRAFT)
    if expected_revision is not None:
        still = still.filter(revision=expected_revision)
    if still.update(revision=F("revision") + 1, updated_at=timezone.now()) == 0:
        raise ScaleChangedError
    scale.refresh_from_db(fields=["revision", "updated_at"])


def _code_base(text: str, fallback: str) -> str:
    return (slugify(text).replace("-", "_") or fallback)[:30]


def _unused_code(base: str, taken: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever is not taken yet."""
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}_{n}"
    return code


def _free_code(agency: Agency, name: str) -> str:
    base = _code_base(name, "scale")
    taken = FidelityScale.objects.filter(agency=agency, code__startswith=base).values_list(
        "code", flat=True
    )
    return _unused_code(base, set(taken))


def _builtin_threshold(builtin: BuiltinScale) -> Decimal | None:
    threshold = builtin.high_fidelity_threshold
    return None if threshold is None else Decimal(str(threshold))


def _copy_builtin(scale: FidelityScale, builtin: BuiltinScale) -> None:
    for d, source in enumerate(builtin.domains):
        domain = FidelityDomain.objects.create(
            scale=scale, code=source.code, name=source.name, position=d
        )
        FidelityItem.objects.bulk_create(
            FidelityItem(domain=domain, code=item.code, label=item.label, position=i)
            for i, item in enumerate(source.items)
        )


def install_builtin_scale(*, actor: User, agency: Agency, code: str = "smcm") -> FidelityScale:
    """Copy the built-in structure ``code`` into an agency-wide draft scale of ``agency``.

    The agency then writes its licensed labels and anchors and activates the scale. Installing
    a version the agency already holds is refused.
    """
    if agency.pk not in agency_ids_administered_by(actor):
        raise PermissionDenied
    try:
        builtin = load_builtin_scale(code)
    except LookupError:
        raise ValidationError({"code": _("There is no built-in scale with this code.")}) from None
    scale = FidelityScale(
        agency=agency,
        code=builtin.code,
        version=builtin.version,
        name=builtin.name,
        description=builtin.description,
        high_fidelity_threshold=_builtin_threshold(builtin),
        high_fidelity_domain_count=builtin.high_fidelity_domain_count,
        created_by=actor,
    )
    scale.full_clean()
    with transaction.atomic():
        scale.save()
        _copy_builtin(scale, builtin)
        record_event(actor=actor, action=Action.CREATE, obj=scale, agency_id=agency.pk)
    return scale


def create_scale(
    *,
    actor: User,
    agency: Agency,
    programme: Programme | None,
    name: str,
    description: str = "",
    start_from: str = "",
) -> FidelityScale:
    """Draft a new scale, blank or from a built-in structure (``start_from="smcm"``)."""
    if programme is not None and programme.agency_id != agency.pk:
        raise ValidationError({"programme": _("This programme belongs to another agency.")})
    if not can_draft_for(actor, agency.pk, programme.pk if programme else None):
        raise PermissionDenied
    builtin = None
    if start_from:
        try:
            builtin = load_builtin_scale(start_from)
        except LookupError:
            raise ValidationError(
                {"start_from": _("There is no built-in scale with this code.")}
            ) from None
    scale = FidelityScale(
        agency=agency,
        programme=programme,
        code=_free_code(agency, name),
        version="1",
        name=name,
        description=description,
        created_by=actor,
    )
    if builtin is not None:
        scale.high_fidelity_threshold = _builtin_threshold(builtin)
        scale.high_fidelity_domain_count = builtin.high_fidelity_domain_count
    scale.full_clean()
    with transaction.atomic():
        scale.save()
        if builtin is not None:
            _copy_builtin(scale, builtin)
        record_event(actor=actor, action=Action.CREATE, obj=scale, agency_id=agency.pk)
    return scale


def update_scale(
    *,
    actor: User,
    scale: FidelityScale,
    name: str,
    description: str,
    high_fidelity_threshold: Decimal | None,
    high_fidelity_domain_count: int | None,
    expected_revision: int | None = None,
) -> FidelityScale:
    """Change a draft's name, description and high-fidelity threshold."""
    _require_editable(actor, scale)
    scale.name = name
    scale.description = description
    scale.high_fidelity_threshold = high_fidelity_threshold
    scale.high_fidelity_domain_count = high_fidelity_domain_count
    scale.full_clean()
    with transaction.atomic():
        _claim(scale, expected_revision)
        scale.save(
            update_fields=[
                "name",
                "description",
                "high_fidelity_threshold",
                "high_fidelity_domain_count",
            ]
        )
        record_event(actor=actor, action=Action.UPDATE, obj=scale, agency_id=scale.agency_id)
    return scale


def _next_position(queryset: QuerySet[Any]) -> int:
    top = queryset.aggregate(top=Max("position"))["top"]
    return 0 if top is None else int(top) + 1


def add_domain(
    *,
    actor: User,
    scale: FidelityScale,
    name: str,
    code: str = "",
    expected_revision: int | None = None,
) -> FidelityDomain:
    """Append a domain to a draft; its code is made from the name unless given."""
    _require_editable(actor, scale)
    taken = set(scale.domains.values_list("code", flat=True))
    domain = FidelityDomain(
        scale=scale,
        code=_unused_code(_code_base(code or name, "domain"), taken),
        name=name,
        position=_next_position(scale.domains.all()),
    )
    domain.full_clean()
    with transaction.atomic():
        _claim(scale, expected_revision)
        domain.save()
        record_event(actor=actor, action=Action.CREATE, obj=domain, agency_id=scale.agency_id)
    return domain


def rename_domain(
    *, actor: User, domain: FidelityDomain, name: str, expected_revision: int | None = None
) -> FidelityDomain:
    _require_editable(actor, domain.scale)
    domain.name = name
    domain.full_clean()
    with transaction.atomic():
        _claim(domain.scale, expected_revision)
        domain.save(update_fields=["name"])
        record_event(
            actor=actor, action=Action.UPDATE, obj=domain, agency_id=domain.scale.agency_id
        )
    return domain


def remove_domain(
    *, actor: User, domain: FidelityDomain, expected_revision: int | None = None
) -> None:
    """Delete a domain of a draft with its items."""
    scale = domain.scale
    _require_editable(actor, scale)
    with transaction.atomic():
        _claim(scale, expected_revision)
        pk = str(domain.pk)
        domain.delete()
        record_event(
            actor=actor,
            action=Action.DELETE,
            object_type="fidelity.fidelitydomain",
            object_id=pk,
            agency_id=scale.agency_id,
        )


def _swap(siblings: list[Positioned], index: int, offset: int) -> bool:
    other = index + offset
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, row in enumerate(siblings):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    return True


def move_domain(
    *, actor: User, domain: FidelityDomain, offset: int, expected_revision: int | None = None
) -> None:
    """Move a domain one place up (``offset=-1``) or down (``+1``)."""
    scale = domain.scale
    _require_editable(actor, scale)
    with transaction.atomic():
        _claim(scale, expected_revision)
        siblings = list(scale.domains.order_by("position", "pk"))
        index = next(i for i, d in enumerate(siblings) if d.pk == domain.pk)
        if _swap(siblings, index, offset):
            record_event(actor=actor, action=Action.UPDATE, obj=scale, agency_id=scale.agency_id)


def add_item(
    *, actor: User, domain: FidelityDomain, label: str, expected_revision: int | None = None
) -> FidelityItem:
    """Append an item to a domain of a draft."""
    scale = domain.scale
    _require_editable(actor, scale)
    taken = set(domain.items.values_list("code", flat=True))
    n = len(taken) + 1
    while f"item_{n}" in taken:
        n += 1
    item = FidelityItem(
        domain=domain, code=f"item_{n}", label=label, position=_next_position(domain.items.all())
    )
    item.full_clean()
    with transaction.atomic():
        _claim(scale, expected_revision)
        item.save()
        record_event(actor=actor, action=Action.CREATE, obj=item, agency_id=scale.agency_id)
    return item


def update_item(
    *,
    actor: User,
    item: FidelityItem,
    label: str,
    anchors: dict[str, str],
    expected_revision: int | None = None,
) -> FidelityItem:
    """Set an item's label and the anchor text of ratings 1-5 (empty texts are dropped)."""
    scale = item.domain.scale
    _require_editable(actor, scale)
    item.label = label
    item.anchors = {key: text.strip() for key, text in anchors.items() if text.strip()}
    item.full_clean()
    with transaction.atomic():
        _claim(scale, expected_revision)
        item.save(update_fields=["label", "anchors"])
        record_event(actor=actor, action=Action.UPDATE, obj=item, agency_id=scale.agency_id)
    return item


def remove_item(*, actor: User, item: FidelityItem, expected_revision: int | None = None) -> None:
    scale = item.domain.scale
    _require_editable(actor, scale)
    with transaction.atomic():
        _claim(scale, expected_revision)
        pk = str(item.pk)
        item.delete()
        record_event(
            actor=actor,
            action=Action.DELETE,
            object_type="fidelity.fidelityitem",
            object_id=pk,
            agency_id=scale.agency_id,
        )


def move_item(
    *, actor: User, item: FidelityItem, offset: int, expected_revision: int | None = None
) -> None:
    """Move an item one place up (``offset=-1``) or down (``+1``) within its domain."""
    scale = item.domain.scale
    _require_editable(actor, scale)
    with transaction.atomic():
        _claim(scale, expected_revision)
        siblings = list(item.domain.items.order_by("position", "pk"))
        index = next(i for i, it in enumerate(siblings) if it.pk == item.pk)
        if _swap(siblings, index, offset):
            record_event(actor=actor, action=Action.UPDATE, obj=scale, agency_id=scale.agency_id)


def activate_scale(
    *, actor: User, scale: FidelityScale, expected_revision: int | None = None
) -> FidelityScale:
    """Put a draft in use (read-only from now on); the version it replaces is retired.

    Needs at least one domain, and at least one item in every domain.
    """
    _require_editable(actor, scale)
    domains = list(scale.domains.prefetch_related("items"))
    if not domains:
        raise ValidationError(_("A scale needs at least one domain."))
    empty = [domain.name for domain in domains if not domain.items.all()]
    if empty:
        raise ValidationError(
            _("Every domain needs at least one item: %(domains)s") % {"domains": ", ".join(empty)}
        )
    with transaction.atomic():
        _claim(scale, expected_revision)
        for previous in FidelityScale.objects.select_for_update().filter(
            agency_id=scale.agency_id, code=scale.code, status=ScaleStatus.ACTIVE
        ):
            previous.status = ScaleStatus.RETIRED
            previous.save(update_fields=["status", "updated_at"])
            record_event(actor=actor, action=Action.UPDATE, obj=previous, agency_id=scale.agency_id)
        scale.status = ScaleStatus.ACTIVE
        scale.save(update_fields=["status", "updated_at"])
        record_event(actor=actor, action=Action.UPDATE, obj=scale, agency_id=scale.agency_id)
    return scale


def _next_version(scale: FidelityScale) -> str:
    versions = set(
        FidelityScale.objects.filter(agency_id=scale.agency_id, code=scale.code).values_list(
            "version", flat=True
        )
    )
    numbers = [int(v) for v in versions if v.isdigit()]
    candidate = (max(numbers) if numbers else len(versions)) + 1
    while str(candidate) in versions:
        candidate += 1
    return str(candidate)


def new_scale_version(*, actor: User, scale: FidelityScale) -> FidelityScale:
    """Copy a scale (usually the one in use) with its domains and items into a new draft."""
    if not can_draft_for(actor, scale.agency_id, scale.programme_id):
        raise PermissionDenied
    copy = FidelityScale(
        agency_id=scale.agency_id,
        programme_id=scale.programme_id,
        code=scale.code,
        version=_next_version(scale),
        name=scale.name,
        description=scale.description,
        high_fidelity_threshold=scale.high_fidelity_threshold,
        high_fidelity_domain_count=scale.high_fidelity_domain_count,
        created_by=actor,
    )
    copy.full_clean()
    with transaction.atomic():
        copy.save()
        for domain in scale.domains.prefetch_related("items").order_by("position", "pk"):
            new_domain = FidelityDomain.objects.create(
                scale=copy, code=domain.code, name=domain.name, position=domain.position
            )
            FidelityItem.objects.bulk_create(
                FidelityItem(
                    domain=new_domain,
                    code=item.code,
                    label=item.label,
                    anchors=dict(item.anchors),
                    position=item.position,
                )
                for item in domain.items.all()
            )
        record_event(actor=actor, action=Action.CREATE, obj=copy, agency_id=scale.agency_id)
    return copy


__all__ = [
    "ScaleChangedError",
    "activate_scale",
    "add_domain",
    "add_item",
    "create_scale",
    "install_builtin_scale",
    "move_domain",
    "move_item",
    "new_scale_version",
    "remove_domain",
    "remove_item",
    "rename_domain",
    "update_item",
    "update_scale",
]
