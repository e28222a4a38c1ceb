"""A programme manager or agency administrator sets the programme's indicator targets."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.fidelity.indicators import definitions as d
from tandem.fidelity.indicators.compute import compute_indicators
from tandem.fidelity.indicators.targets import targets_in_force
from tandem.fidelity.models import IndicatorTarget
from tandem.orgs.models import ConfigurationKind, Programme, Team
from tandem.orgs.selectors import may_configure
from tandem.orgs.services import check_unchanged, record_configuration_change


def target_settings(programme: Programme) -> dict[str, float | None]:
    """The programme's targets in force by indicator code: what history and fingerprint compare."""
    return {row.definition.code: row.target for row in targets_in_force(programme)}


def save_indicator_targets(
    *,
    actor: User,
    programme: Programme,
    targets: Mapping[str, float | None],
    expected_fingerprint: str | None = None,
    reason: str = "",
    today: date | None = None,
) -> None:
    """Store the programme's own targets; ``None`` returns an indicator to Tandem's default.

    The caseload target is the programme's ``caseload_target`` (a whole number of clients).
    Today's indicator values of the programme's teams are recomputed, so that the dashboards
    read the new targets at once; earlier days keep the targets they were computed with.
    """
    if not may_configure(actor, programme):
        raise PermissionDenied
    errors: dict[str, str] = {}
    for code, value in targets.items():
        definition = d.get_indicator(code)
        if value is None:
            if definition.target_source is d.TargetSource.PROGRAMME_CASELOAD:
                errors[code] = _("The caseload needs a target.")
            continue
        if value < 0:
            errors[code] = _("A target cannot be negative.")
        elif definition.unit is d.Unit.SHARE and value > 1:
            errors[code] = _("A share cannot be more than 100 %.")
        elif definition.target_source is d.TargetSource.PROGRAMME_CASELOAD and not (
            1 <= value <= 200 and float(value).is_integer()
        ):
            errors[code] = _("The caseload target is a whole number from 1 to 200.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stored = Programme.objects.select_for_update().get(pk=programme.pk)
        before = target_settings(stored)
        check_unchanged(before, expected_fingerprint)
        for code, value in targets.items():
            definition = d.get_indicator(code)
            if definition.target_source is d.TargetSource.PROGRAMME_CASELOAD:
                if value is not None:  # an empty caseload target is refused above
                    stored.caseload_target = int(value)
                    stored.save(update_fields=["caseload_target"])
            elif value is None:
                IndicatorTarget.objects.filter(programme=stored, code=code).delete()
            else:
                IndicatorTarget.objects.update_or_create(
                    programme=stored, code=code, defaults={"target": float(value)}
                )
        after = target_settings(stored)
        change = record_configuration_change(
            actor=actor,
            programme=stored,
            obj=stored,
            kind=ConfigurationKind.TARGETS_CHANGED,
            before=before,
            after=after,
            reason=reason,
        )
        team_ids = list(Team.objects.filter(programme=stored).values_list("pk", flat=True))
        if change is not None and team_ids:
            compute_indicators(day=today or timezone.localdate(), team_ids=team_ids, actor=actor)
    programme.caseload_target = stored.caseload_target
