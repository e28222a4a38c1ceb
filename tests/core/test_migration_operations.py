"""CreateOrAdoptTables, through the migrations that use it: alerts and reports were feedback's.

A fresh database gets the tables under their new names. A database made before the split (the
feedback app's tables, rows, content types and recorded migrations) keeps every row: ``migrate``
renames the tables, and the rows are then read through the new apps' models.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState
from django.utils import timezone

from tandem.alerts.models import AgendaItem, Alert, AlertPolicy, AlertStatus, AlertStep
from tandem.core.migration_operations import HalfMovedTablesError
from tandem.reports.models import Report, ReportStatus
from tests.core import feedback_migrations
from tests.factories import EpisodeFactory, UserFactory

ADOPTED = {
    "feedback_alert": "alerts_alert",
    "feedback_agendaitem": "alerts_agendaitem",
    "feedback_alertpolicy": "alerts_alertpolicy",
    "feedback_alertstep": "alerts_alertstep",
    "feedback_report": "reports_report",
}
ALERT_INDEXES = {
    "alerts_aler_team_id_c4fc3f_idx",
    "alerts_aler_worker__6b1a4a_idx",
    "alerts_aler_episode_2746df_idx",
}
MOVED_MODELS = ("alert", "agendaitem", "alertpolicy", "alertstep", "report")


def _migrate(targets: list[tuple[str, str | None]] | None = None) -> ProjectState:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    state: ProjectState = executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return state


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def _constraint_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


@dataclass(frozen=True)
class OldRows:
    """Primary keys of the rows written into the feedback tables, and of their content types."""

    alert: int
    step: int
    agenda_item: int
    policy: int
    report: int
    content_types: dict[str, int]


def _build_feedback_release(state: ProjectState) -> ProjectState:
    """Create the feedback tables exactly as its migrations did, and record them as applied."""
    with connection.schema_editor() as editor:
        for operation in feedback_migrations.OPERATIONS:
            after = state.clone()
            operation.state_forwards("feedback", after)
            operation.database_forwards("feedback", editor, state, after)
            state = after
    recorder = MigrationRecorder(connection)
    for name in feedback_migrations.APPLIED:
        recorder.record_applied("feedback", name)
    return state


def _write_rows(state: ProjectState) -> OldRows:
    episode = EpisodeFactory.create()
    worker, supervisor = episode.primary_case_manager, UserFactory.create()
    model = state.apps.get_model
    alert = model("feedback", "Alert").objects.create(
        rule="no_recent_contact",
        team_id=episode.team_id,
        episode_id=episode.pk,
        client_id=episode.client_id,
        worker_id=worker.pk,
        subject_key=f"episode:{episode.pk}",
        reason={"days_since_contact": 30},
        status="discussed",
        opened_on=date(2026, 10, 1),
        version=2,
    )
    step = model("feedback", "AlertStep").objects.create(
        alert_id=alert.pk, status="discussed", actor_id=worker.pk, note="Called twice"
    )
    item = model("feedback", "AgendaItem").objects.create(
        alert_id=alert.pk, kind="group", team_id=episode.team_id, added_by_id=worker.pk
    )
    policy = model("feedback", "AlertPolicy").objects.create(
        programme_id=episode.programme_id, no_contact_days=28
    )
    report = model("feedback", "Report").objects.create(
        kind="team_quarter",
        programme_id=episode.programme_id,
        team_id=episode.team_id,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        status="done",
        requested_by_id=supervisor.pk,
        finished_at=timezone.now(),
        pdf=b"%PDF-1.7 before the split",
    )
    # As a database of that release: feedback's content types and permissions, none of the
    # new apps' (which the test database's own setup made).
    ContentType.objects.filter(app_label__in=["alerts", "reports"]).delete()
    content_types = {
        name: ContentType.objects.create(app_label="feedback", model=name).pk
        for name in MOVED_MODELS
    }
    Permission.objects.create(
        content_type_id=content_types["alert"], codename="view_alert", name="Can view alert"
    )
    return OldRows(alert.pk, step.pk, item.pk, policy.pk, report.pk, content_types)


@pytest.fixture
def feedback_release(transactional_db: None) -> Iterator[tuple[ProjectState, OldRows]]:
    """The database as the last release with the feedback app left it, holding some rows."""
    state = _migrate([("alerts", None), ("reports", None)])
    assert not _tables() & set(ADOPTED.values())
    state = _build_feedback_release(state)
    try:
        yield state, _write_rows(state)
    finally:
        _migrate()


def test_a_fresh_database_gets_the_tables_under_the_new_apps_names(db: None) -> None:
    tables = _tables()
    assert set(ADOPTED.values()) <= tables
    assert not any(name.startswith("feedback_") for name in tables)
    assert _constraint_names("alerts_alert") >= ALERT_INDEXES
    assert not MigrationRecorder(connection).migration_qs.filter(app="feedback").exists()


def test_migrate_adopts_the_feedback_tables_with_their_rows(
    feedback_release: tuple[ProjectState, OldRows],
) -> None:
    _state, old = feedback_release

    _migrate()

    tables = _tables()
    assert set(ADOPTED.values()) <= tables
    assert not any(name.startswith("feedback_") for name in tables)
    alert = Alert.objects.get(pk=old.alert)
    assert (alert.status, alert.version, alert.reason) == (
        AlertStatus.DISCUSSED,
        2,
        {"days_since_contact": 30},
    )
    assert [step.pk for step in alert.steps.all()] == [old.step]
    assert AlertStep.objects.get(pk=old.step).note == "Called twice"
    assert [item.pk for item in alert.agenda_items.all()] == [old.agenda_item]
    assert AgendaItem.objects.get(pk=old.agenda_item).team_id == alert.team_id
    assert AlertPolicy.objects.get(pk=old.policy).no_contact_days == 28
    report = Report.objects.get(pk=old.report)
    assert (report.status, bytes(report.pdf or b"")) == (
        ReportStatus.DONE,
        b"%PDF-1.7 before the split",
    )


def test_the_adopted_tables_keep_their_keys_indexes_and_content_types(
    feedback_release: tuple[ProjectState, OldRows],
) -> None:
    _state, old = feedback_release

    _migrate()

    assert _constraint_names("alerts_alert") >= ALERT_INDEXES
    assert not any(name.startswith("feedback_al_") for name in _constraint_names("alerts_alert"))
    moved = dict(ContentType.objects.filter(model__in=MOVED_MODELS).values_list("model", "pk"))
    assert moved == old.content_types
    assert set(
        ContentType.objects.filter(pk__in=moved.values()).values_list("app_label", flat=True)
    ) == {"alerts", "reports"}
    assert Permission.objects.get(codename="view_alert").content_type.app_label == "alerts"
    assert not MigrationRecorder(connection).migration_qs.filter(app="feedback").exists()
    # The foreign keys now point at the renamed tables: a step of the adopted alert is
    # accepted, a step of a missing alert refused.
    AlertStep.objects.create(alert_id=old.alert, status=AlertStatus.RESOLVED)
    with transaction.atomic():
        AlertStep.objects.create(alert_id=old.alert + 1000, status=AlertStatus.OPEN)
        with pytest.raises(IntegrityError):
            connection.check_constraints()
        transaction.set_rollback(True)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


def test_half_moved_tables_are_refused_and_adopted_once_put_back(
    feedback_release: tuple[ProjectState, OldRows],
) -> None:
    _state, old = feedback_release
    with connection.schema_editor() as editor:
        editor.alter_db_table(AlertPolicy, "feedback_alertpolicy", "set_aside")

    with pytest.raises(HalfMovedTablesError, match="missing feedback_alertpolicy"):
        _migrate()

    with connection.schema_editor() as editor:
        editor.alter_db_table(AlertPolicy, "set_aside", "feedback_alertpolicy")
    _migrate()
    assert Alert.objects.filter(pk=old.alert).exists()
    assert AlertPolicy.objects.filter(pk=old.policy).exists()
