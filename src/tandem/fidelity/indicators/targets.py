"""The target in force for each indicator of a programme: its own, or Tandem's default."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tandem.fidelity.indicators import definitions as d
from tandem.fidelity.models import IndicatorTarget
from tandem.orgs.models import Programme


@dataclass(frozen=True, slots=True)
class TargetInForce:
    """One indicator's target for a programme and where it comes from."""

    definition: d.IndicatorDefinition
    target: float | None
    default: float | None
    is_default: bool

    @property
    def target_text(self) -> str:
        return "" if self.target is None else self.definition.display(self.target)

    @property
    def default_text(self) -> str:
        return "" if self.default is None else self.definition.display(self.default)


def default_target(definition: d.IndicatorDefinition, caseload_target: int) -> float | None:
    """What applies where a programme sets nothing."""
    if definition.target_source is d.TargetSource.PROGRAMME_CASELOAD:
        return float(caseload_target)
    return definition.default_target


def targets_by_programme(programme_ids: Iterable[int]) -> dict[int, dict[str, float]]:
    """The programmes' own targets, {programme id: {indicator code: target}}, in one query."""
    found: dict[int, dict[str, float]] = {}
    for programme_id, code, target in IndicatorTarget.objects.filter(
        programme_id__in=list(programme_ids)
    ).values_list("programme_id", "code", "target"):
        found.setdefault(programme_id, {})[code] = target
    return found


def resolve(
    definition: d.IndicatorDefinition, caseload_target: int, own: dict[str, float]
) -> float | None:
    """The target in force: the caseload's from the programme, else its own, else the default."""
    if definition.target_source is d.TargetSource.PROGRAMME_CASELOAD:
        return float(caseload_target)
    return own.get(definition.code, definition.default_target)


def targets_in_force(programme: Programme) -> list[TargetInForce]:
    """Every indicator's target for the programme, in the registry's order."""
    own = targets_by_programme([programme.pk]).get(programme.pk, {})
    rows = []
    for definition in d.INDICATORS:
        default = definition.default_target
        if definition.target_source is d.TargetSource.PROGRAMME_CASELOAD:
            # The caseload target is the programme's own setting; its default is the field's.
            default = float(Programme._meta.get_field("caseload_target").get_default())
            target: float | None = float(programme.caseload_target)
            is_default = target == default
        else:
            target = own.get(definition.code, default)
            is_default = definition.code not in own
        rows.append(TargetInForce(definition, target, default, is_default))
    return rows
