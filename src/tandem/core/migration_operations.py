"""Migration operations of Tandem's own, for the apps' migrations to use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations import CreateModel
from django.db.migrations.operations.base import Operation
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState
from typing_extensions import override


class HalfMovedTablesError(RuntimeError):
    """Some of the tables to adopt are there under their old names and some are not."""


class CreateOrAdoptTables(Operation):
    """Create an app's models, or adopt their tables from the app they were moved out of.

    When models move to another app, the new app's initial migration wraps its own operations
    (``CreateModel``, ``AddIndex``, ``AddConstraint``...) in this one. On a fresh database they
    run as written. On a database that still holds the old app's tables (every table of
    ``tables`` under its old name, none under its new one) the rows are kept instead:

    - each table is renamed (``tables``: old name -> new name); foreign keys follow it;
    - each index whose name was made from the old table name is renamed (``indexes``:
      model name, old index name, new index name);
    - the models' content types move from ``from_app`` to this app, so that permissions and
      admin history keep pointing at them (a content type already there is left alone);
    - ``from_app``'s rows in ``django_migrations`` are removed: that app no longer exists.

    A migration using it depends on ``contenttypes``. Half a move (some old tables there, or old
    and new side by side) is refused with the table names rather than guessed at. Backwards, the
    operations are undone as written (the tables are dropped).
    """

    reversible = True

    def __init__(
        self,
        operations: Sequence[Operation],
        *,
        from_app: str,
        tables: dict[str, str],
        indexes: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        self.operations = list(operations)
        self.from_app = from_app
        self.tables = dict(tables)
        self.indexes = [tuple(index) for index in indexes]

    @override
    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs: dict[str, Any] = {"from_app": self.from_app, "tables": self.tables}
        if self.indexes:
            kwargs["indexes"] = self.indexes
        return self.__class__.__qualname__, [self.operations], kwargs

    @override
    def describe(self) -> str:
        return f"Create {', '.join(self.tables.values())}, or adopt them from {self.from_app}"

    @property
    @override
    def migration_name_fragment(self) -> str:
        return f"adopt_{self.from_app}"

    @override
    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        for operation in self.operations:
            operation.state_forwards(app_label, state)

    @override
    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if self._finds_old_tables(schema_editor):
            self._adopt(app_label, schema_editor, to_state)
            return
        # Each operation runs between the states before and after it, as in a migration.
        for operation in self.operations:
            state = from_state.clone()
            operation.state_forwards(app_label, state)
            operation.database_forwards(app_label, schema_editor, from_state, state)
            from_state = state

    @override
    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        states = [to_state]
        for operation in self.operations:
            state = states[-1].clone()
            operation.state_forwards(app_label, state)
            states.append(state)
        for index in reversed(range(len(self.operations))):
            self.operations[index].database_backwards(
                app_label, schema_editor, states[index + 1], states[index]
            )

    def _finds_old_tables(self, schema_editor: BaseDatabaseSchemaEditor) -> bool:
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            present = set(connection.introspection.table_names(cursor))
        old = sorted(name for name in self.tables if name in present)
        new = sorted(name for name in self.tables.values() if name in present)
        if not old:
            return False
        if len(old) == len(self.tables) and not new:
            return True
        missing = sorted(set(self.tables) - set(old))
        raise HalfMovedTablesError(
            f"cannot adopt the tables of {self.from_app}: found {', '.join(old)}"
            + (f", missing {', '.join(missing)}" if missing else "")
            + (f", and already {', '.join(new)}" if new else "")
            + "; move the rest by hand or restore a backup, then migrate again"
        )

    def _adopt(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, to_state: ProjectState
    ) -> None:
        models = {
            model._meta.db_table: model
            for model in to_state.apps.get_app_config(app_label).get_models()
        }
        for old_table, new_table in self.tables.items():
            schema_editor.alter_db_table(models[new_table], old_table, new_table)
        for model_name, old_name, new_name in self.indexes:
            model = to_state.apps.get_model(app_label, model_name)
            new_index = to_state.models[app_label, model_name.lower()].get_index_by_name(new_name)
            old_index = new_index.clone()
            old_index.name = old_name
            schema_editor.rename_index(model, old_index, new_index)
        alias = schema_editor.connection.alias
        content_types = to_state.apps.get_model("contenttypes", "ContentType").objects.using(alias)
        names = [op.name_lower for op in self.operations if isinstance(op, CreateModel)]
        taken = content_types.filter(app_label=app_label, model__in=names).values("model")
        content_types.filter(app_label=self.from_app, model__in=names).exclude(
            model__in=taken
        ).update(app_label=app_label)
        MigrationRecorder(schema_editor.connection).migration_qs.filter(app=self.from_app).delete()
