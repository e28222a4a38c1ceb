from typing import Any

from django.apps import AppConfig
from django.apps.registry import Apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from typing_extensions import override


def _start_chain(sender: AppConfig, apps: Apps | None = None, **kwargs: Any) -> None:
    """Start a new chain in a database left without a head by ``flush``.

    ``flush`` (and a test run's teardown) empties every table, the head included, then sends
    post_migrate: the emptied database starts a new chain at once, as a migrated one does.
    ``apps`` is the state migrate just reached (absent after ``flush``): nothing is done when
    that state has no signed head, as after migrating the audit app back.
    """
    from tandem.audit.services import ensure_chain_head

    if apps is not None:
        try:
            head_model = apps.get_model("audit", "AuditChainHead")
        except LookupError:
            return
        if "mac" not in {field.name for field in head_model._meta.get_fields()}:
            return
    ensure_chain_head()


class AuditConfig(AppConfig):
    name = "tandem.audit"
    label = "audit"
    verbose_name = _("Audit")

    @override
    def ready(self) -> None:
        post_migrate.connect(_start_chain, sender=self)
