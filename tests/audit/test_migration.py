"""Chains written before events had positions stay verifiable after the upgrade."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tandem.audit import chain
from tandem.audit.models import Action, AuditEvent
from tandem.audit.services import record_event, verify_chain

BEFORE_POSITIONS = [("audit", "0002_chain_head")]

# Computed by the release before positions (tandem.audit.chain at commit 6cb9ff0).
VERSION_1_REFERENCE_DIGEST = "58115c2bb659d51e4cb78ce0d177f759b36f2c9aa5189fbfd56316e38ea99722"


def test_version_1_events_are_signed_exactly_as_before(settings: Any) -> None:
    settings.AUDIT_HMAC_KEY = "reference-key-for-version-1-events"
    payload = chain.canonical(
        chain_version=chain.LEGACY_VERSION,
        seq=99,
        occurred_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        actor_id=7,
        actor_role="case_manager",
        agency_id=3,
        action="view",
        object_type="clients.client",
        object_id="42",
        request_id="req-1",
        outcome="ok",
    )
    assert chain.digest(chain.GENESIS, payload) == VERSION_1_REFERENCE_DIGEST


def _migrate(targets: list[tuple[str, str]] | None = None) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    plan_targets = targets or executor.loader.graph.leaf_nodes()
    return executor.migrate(plan_targets).apps


@pytest.fixture
def before_positions(transactional_db: None) -> Iterator[Any]:
    """The audit tables as the previous release left them, migrated forward afterwards."""
    old_apps = _migrate(BEFORE_POSITIONS)
    try:
        yield old_apps
    finally:
        _migrate()


def _write_version_1_chain(old_apps: Any, count: int) -> None:
    """Append events the way the previous release did: no position signed."""
    event_model = old_apps.get_model("audit", "AuditEvent")
    previous, last_pk = chain.GENESIS, None
    for i in range(count):
        fields: dict[str, Any] = {
            "occurred_at": datetime.now(tz=UTC),
            "actor_id": None,
            "actor_role": "",
            "agency_id": None,
            "action": "view",
            "object_type": "t",
            "object_id": str(i),
            "request_id": "",
            "outcome": "ok",
        }
        payload = chain.canonical(chain_version=chain.LEGACY_VERSION, seq=0, **fields)
        signed = chain.digest(previous, payload)
        last_pk = event_model.objects.create(previous_digest=previous, digest=signed, **fields).pk
        previous = signed
    old_apps.get_model("audit", "AuditChainHead").objects.filter(pk=1).update(
        last_digest=previous, last_event_id=last_pk
    )


def test_events_written_before_positions_verify_and_the_chain_goes_on(
    before_positions: Any,
) -> None:
    _write_version_1_chain(before_positions, 3)
    _migrate()
    assert verify_chain().checked == 3
    assert verify_chain().is_intact
    record_event(actor=None, action=Action.VIEW, object_type="t", object_id="after")
    result = verify_chain()
    assert (result.is_intact, result.checked) == (True, 4)
    rows = list(AuditEvent.objects.order_by("pk").values_list("seq", "chain_version"))
    assert rows == [(1, 1), (2, 1), (3, 1), (4, 2)]


def test_a_version_1_tail_cut_before_the_upgrade_is_still_reported(
    before_positions: Any,
) -> None:
    _write_version_1_chain(before_positions, 3)
    before_positions.get_model("audit", "AuditEvent").objects.order_by("pk").last().delete()
    _migrate()
    assert verify_chain().problem == "events at the end of the chain were removed"


def test_the_upgrade_refuses_a_key_generated_just_now_when_events_exist(
    before_positions: Any, settings: Any
) -> None:
    _write_version_1_chain(before_positions, 1)
    settings.AUDIT_HMAC_KEY_IS_NEW = True
    with pytest.raises(ImproperlyConfigured, match="audit key"):
        _migrate()
    settings.AUDIT_HMAC_KEY_IS_NEW = False
