"""The configuration history: one service keeps each change with its audit event."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tandem.audit.models import AuditEvent
from tandem.orgs.models import ConfigurationChange, ConfigurationKind
from tandem.orgs.selectors import configuration_changes_for, programmes_configurable_by
from tandem.orgs.services import (
    ConfigurationChangedError,
    check_unchanged,
    configuration_fingerprint,
    record_configuration_change,
)
from tests.conftest import World
from tests.factories import ProgrammeFactory


def record(world: World, before: dict[str, object] | None, after: dict[str, object]) -> object:
    return record_configuration_change(
        actor=world.programme_manager,
        programme=world.programme,
        obj=world.programme,
        kind=ConfigurationKind.TARGETS_CHANGED,
        before=before,
        after=after,
    )


def test_only_the_settings_that_changed_are_kept(world: World) -> None:
    change = record(world, {"a": 1, "b": Decimal("4.50")}, {"a": 2, "b": Decimal("4.5")})

    assert isinstance(change, ConfigurationChange)
    assert (change.before, change.after) == ({"a": 1}, {"a": 2})


def test_a_save_that_changes_nothing_records_nothing(world: World) -> None:
    events = AuditEvent.objects.count()

    assert record(world, {"a": 1}, {"a": 1}) is None
    assert not ConfigurationChange.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_change_is_audited_with_the_object_changed(world: World) -> None:
    record(world, None, {"a": 1})

    assert AuditEvent.objects.filter(
        object_type="orgs.programme",
        object_id=str(world.programme.pk),
        actor_id=world.programme_manager.pk,
        action="create",
    ).exists()


def test_a_stale_fingerprint_is_refused() -> None:
    shown = configuration_fingerprint({"window": 14})

    check_unchanged({"window": 14}, shown)
    with pytest.raises(ConfigurationChangedError):
        check_unchanged({"window": 21}, shown)


def test_managers_configure_their_programmes_and_administrators_their_agencys(
    world: World,
) -> None:
    ProgrammeFactory.create(agency=world.other_agency_team.programme.agency, name="Elsewhere")

    assert list(
        programmes_configurable_by(world.programme_manager).values_list("name", flat=True)
    ) == ["P1"]
    assert list(programmes_configurable_by(world.agency_admin).values_list("name", flat=True)) == [
        "P1",
        "P2",
    ]
    assert not programmes_configurable_by(world.supervisor).exists()
    assert not programmes_configurable_by(world.case_manager).exists()


def test_the_history_is_read_only_by_those_who_configure_the_programme(world: World) -> None:
    record(world, None, {"a": 1})

    assert configuration_changes_for(world.agency_admin).count() == 1
    assert configuration_changes_for(world.other_agency_case_manager).count() == 0
    assert configuration_changes_for(world.supervisor).count() == 0
